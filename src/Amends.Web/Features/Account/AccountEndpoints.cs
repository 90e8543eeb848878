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
            UserManager<AppUser> users,
            LoginThrottle throttle,
            HttpContext http) =>
        {
            var back = SafeReturnUrl(returnUrl);
            if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
            {
                return Results.Redirect($"/login?error=missing&email={Uri.EscapeDataString(email ?? "")}&returnUrl={Uri.EscapeDataString(back)}");
            }

            if (!throttle.TryAcquire(http.Connection.RemoteIpAddress?.ToString(), email))
            {
                http.Response.Headers.RetryAfter = "60";
                return Results.Redirect($"/login?error=slow&email={Uri.EscapeDataString(email)}&returnUrl={Uri.EscapeDataString(back)}");
            }

            var user = await users.FindByEmailAsync(email.Trim());
            if (user is null || !user.IsActive)
            {
                // As long as checking a real password takes, so the answer's timing does not tell which e-mails exist.
                users.PasswordHasher.VerifyHashedPassword(Decoy, DecoyHash.Value, password);
                return Results.Redirect($"/login?error=invalid&email={Uri.EscapeDataString(email)}&returnUrl={Uri.EscapeDataString(back)}");
            }

            // No lockout: the throttle slows guessing down without letting anyone lock a colleague out.
            var result = await signIn.PasswordSignInAsync(user, password, isPersistent: true, lockoutOnFailure: false);
            if (result.RequiresTwoFactor)
            {
                return Results.Redirect($"/login/2fa?returnUrl={Uri.EscapeDataString(back)}");
            }

            return result.Succeeded
                ? Results.LocalRedirect(back)
                : Results.Redirect($"/login?error=invalid&email={Uri.EscapeDataString(email)}&returnUrl={Uri.EscapeDataString(back)}");
        })
        .AllowAnonymous()
        .ExcludeFromDescription();

        // The second step: a code from the authenticator app, or one of the recovery codes (each works once).
        app.MapPost("/account/login/2fa", async (
            [FromForm] string? code,
            [FromForm] string? returnUrl,
            SignInManager<AppUser> signIn,
            LoginThrottle throttle,
            HttpContext http) =>
        {
            var back = SafeReturnUrl(returnUrl);
            var user = await signIn.GetTwoFactorAuthenticationUserAsync();
            if (user is null)
            {
                return Results.Redirect("/login?error=expired");
            }

            if (!throttle.TryAcquire(http.Connection.RemoteIpAddress?.ToString(), "2fa:" + user.Id))
            {
                return Results.Redirect($"/login/2fa?error=slow&returnUrl={Uri.EscapeDataString(back)}");
            }

            var typed = (code ?? "").Trim();
            var digits = TwoFactor.Digits(typed);
            var result = digits.Length == 6 && digits.Length == typed.Replace(" ", "", StringComparison.Ordinal).Length
                ? await signIn.TwoFactorAuthenticatorSignInAsync(digits, isPersistent: true, rememberClient: false)
                : await signIn.TwoFactorRecoveryCodeSignInAsync(typed.Replace(" ", "", StringComparison.Ordinal));
            return result.Succeeded
                ? Results.LocalRedirect(back)
                : Results.Redirect($"/login/2fa?error=invalid&returnUrl={Uri.EscapeDataString(back)}");
        })
        .AllowAnonymous()
        .ExcludeFromDescription();

        // A form post with the antiforgery token: a cross-site page cannot sign a user out.
        app.MapPost("/account/logout", async (SignInManager<AppUser> signIn, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, HttpContext http) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.BadRequest();
            }

            await signIn.SignOutAsync();
            return Results.Redirect("/login");
        })
        .RequireAuthorization()
        .DisableAntiforgery()
        .ExcludeFromDescription();

        return app;
    }

    private static readonly AppUser Decoy = new() { Id = Guid.Empty, UserName = "decoy" };

    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<AppUser>().HashPassword(Decoy, Guid.NewGuid().ToString()));

    /// <summary>Only local paths: an open redirect would let a phishing link bounce through our login.</summary>
    private static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
