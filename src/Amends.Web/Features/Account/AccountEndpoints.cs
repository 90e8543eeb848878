using Amends.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Amends.Web.Features.Account;

/// <summary>
/// Sign-in and sign-out as plain form posts (the cookie must be set on an HTTP response, not over a Blazor circuit).
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", async (
            [FromForm] string? email,
            [FromForm] string? password,
            [FromForm] string? returnUrl,
            SignInManager<AppUser> signIn,
            UserManager<AppUser> users) =>
        {
            var back = SafeReturnUrl(returnUrl);
            if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
            {
                return Results.Redirect($"/login?error=missing&email={Uri.EscapeDataString(email ?? "")}&returnUrl={Uri.EscapeDataString(back)}");
            }

            var user = await users.FindByEmailAsync(email.Trim());
            if (user is null || !user.IsActive)
            {
                return Results.Redirect($"/login?error=invalid&email={Uri.EscapeDataString(email)}&returnUrl={Uri.EscapeDataString(back)}");
            }

            var result = await signIn.PasswordSignInAsync(user, password, isPersistent: true, lockoutOnFailure: true);
            if (result.IsLockedOut)
            {
                return Results.Redirect($"/login?error=locked&email={Uri.EscapeDataString(email)}");
            }

            return result.Succeeded
                ? Results.LocalRedirect(back)
                : Results.Redirect($"/login?error=invalid&email={Uri.EscapeDataString(email)}&returnUrl={Uri.EscapeDataString(back)}");
        })
        .AllowAnonymous()
        .ExcludeFromDescription();

        app.MapPost("/account/logout", async (SignInManager<AppUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.Redirect("/login");
        })
        .RequireAuthorization()
        .ExcludeFromDescription();

        return app;
    }

    /// <summary>Only local paths: an open redirect would let a phishing link bounce through our login.</summary>
    private static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
