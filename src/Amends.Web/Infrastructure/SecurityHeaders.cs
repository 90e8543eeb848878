namespace Amends.Web.Infrastructure;

/// <summary>
/// Headers every response carries (OWASP ASVS 14.4): no MIME sniffing, no referrer leaving the site (follow-up links carry
/// a token), no powerful browser features, and a CSP that allows scripts from this origin only. Blazor Server needs no
/// inline script or eval; MudBlazor sets inline styles. The API reference page (Scalar) runs an inline bootstrap script,
/// so it alone gets 'unsafe-inline' for scripts.
/// </summary>
internal sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>The <see cref="HttpContext.Items"/> key of a stricter Content-Security-Policy an endpoint wants for its response.</summary>
    public const string OwnPolicy = "amends.content-security-policy";

    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    private const string ApiDocsPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
            headers.XFrameOptions = "DENY";
            // An endpoint may ask for a stricter policy of its own (a customer's original e-mail, sandboxed).
            headers.ContentSecurityPolicy = context.Items[OwnPolicy] as string
                ?? (context.Request.Path.StartsWithSegments("/api-docs") ? ApiDocsPolicy : ContentSecurityPolicy);
            headers.Remove("Server");
            return Task.CompletedTask;
        });
        return next(context);
    }
}
