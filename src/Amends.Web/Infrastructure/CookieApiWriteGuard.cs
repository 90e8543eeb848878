namespace Amends.Web.Infrastructure;

/// <summary>
/// A write to <c>/api</c> that authenticates with the sign-in cookie must carry an <c>X-Requested-With</c> header. A
/// cross-site page can make a browser send the cookie with a form or a simple JSON POST, but it cannot add a custom header
/// without a CORS preflight, which Amends never grants; so this stops cross-site request forgery against the API. API
/// keys (<c>Authorization: Bearer</c>) are not sent by browsers on their own and need nothing more.
/// </summary>
internal sealed class CookieApiWriteGuard(RequestDelegate next)
{
    public const string HeaderName = "X-Requested-With";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api")
            || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || context.User.Identity?.IsAuthenticated != true
            || request.Headers.ContainsKey(HeaderName))
        {
            await next(context);
            return;
        }

        await ApiProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "auth.csrf", "Not allowed",
            $"A write to the API signed in with the browser cookie must send the header '{HeaderName}' (any value), "
            + "or authenticate with an API key ('Authorization: Bearer …').");
    }
}
