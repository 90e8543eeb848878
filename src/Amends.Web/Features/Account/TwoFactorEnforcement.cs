using System.Security.Claims;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Account;

/// <summary>
/// A signed-in member of a role that requires two-factor sign-in, who has not set it up, reaches only the page where they
/// set it up (<c>/me</c>) and what it needs: other pages redirect there, the API answers <c>403 auth.two_factor_required</c>.
/// The layout does the same for navigation inside the interactive UI. API keys are separate credentials and unaffected.
/// </summary>
internal sealed class TwoFactorEnforcement(RequestDelegate next)
{
    private static readonly string[] Open = ["/me", "/account", "/login", "/denied", "/_blazor", "/_framework", "/_content", "/health", "/metrics", "/openapi", "/api-docs", "/feedback", "/api/users/me"];

    public async Task InvokeAsync(HttpContext context, TwoFactor twoFactor, AmendsDbContext db)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true
            || context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || Open.Any(p => context.Request.Path.StartsWithSegments(p))
            || Path.HasExtension(context.Request.Path.Value))
        {
            await next(context);
            return;
        }

        var required = await twoFactor.RequiredRolesAsync(context.RequestAborted);
        if (required.Count == 0 || !user.FindAll(ClaimTypes.Role).Any(r => required.Contains(r.Value)))
        {
            await next(context);
            return;
        }

        var id = user.UserId().Value;
        if (await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.TwoFactorEnabled).SingleOrDefaultAsync(context.RequestAborted))
        {
            await next(context);
            return;
        }

        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.Redirect("/me?setup=2fa");
            return;
        }

        await ApiProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "auth.two_factor_required", "Not allowed",
            "Your role requires two-factor sign-in: set it up on your page (/me) first.");
    }
}
