using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web.Features.Messaging;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Account;

/// <summary>
/// Self-service password reset for staff, once e-mail is configured: a link (valid an hour, usable once: Identity's
/// token changes with the password) goes through the outbox to the account's address. The answer never tells whether an
/// address has an account.
/// </summary>
public static class PasswordReset
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);

    public static IEndpointRouteBuilder MapPasswordResetEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/forgot", async ([FromForm] string? email, UserManager<AppUser> users, AmendsDbContext db, ChannelRouter router,
                PublicUrls urls, IOptionsMonitor<OrganisationOptions> organisation, LoginThrottle throttle, TimeProvider time, HttpContext http) =>
            {
                if (!router.SmtpConfigured)
                {
                    return Results.Redirect("/account/forgot");
                }

                var address = email?.Trim() ?? "";
                if (address.Length == 0)
                {
                    return Results.Redirect("/account/forgot?error=missing");
                }

                if (!throttle.TryAcquire(http.Connection.RemoteIpAddress?.ToString(), address))
                {
                    return Results.Redirect("/account/forgot?error=slow");
                }

                if (await users.FindByEmailAsync(address) is { IsActive: true } user)
                {
                    var token = await users.GeneratePasswordResetTokenAsync(user);
                    var link = $"{urls.BaseUrl}/account/reset?email={Uri.EscapeDataString(user.Email!)}&token={Uri.EscapeDataString(token)}";
                    var text = $"Hello {user.DisplayName},\n\nSomeone (we hope you) asked to reset your Amends password. Choose a new one here, within the hour:\n{link}\n\n"
                        + "If it was not you, ignore this message: your password stays as it is.\n\n-- \nAmends, " + organisation.CurrentValue.Name;
                    var now = time.GetUtcNow();
                    db.Outbox.Add(OutboundMessage.Queue(MessageKind.PasswordReset, Channel.Email, Routes.Smtp, user.Email!, user.DisplayName,
                        "Reset your Amends password", text, Outbox.Html(text, organisation.CurrentValue.Color), router.MessageIdDomain, now, automatic: true));
                    await db.SaveChangesAsync();
                }

                return Results.Redirect("/account/forgot?sent=1");
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

        app.MapPost("/account/reset", async ([FromForm] string? email, [FromForm] string? token, [FromForm] string? password, [FromForm] string? confirm,
                UserManager<AppUser> users) =>
            {
                string Back(string error) =>
                    $"/account/reset?email={Uri.EscapeDataString(email ?? "")}&token={Uri.EscapeDataString(token ?? "")}&error={Uri.EscapeDataString(error)}";

                if (string.IsNullOrEmpty(password) || password != confirm)
                {
                    return Results.Redirect(Back("Type the same new password twice."));
                }

                var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
                if (user is null || !user.IsActive || string.IsNullOrEmpty(token))
                {
                    return Results.Redirect(Back("This link does not work any more: ask for a new one."));
                }

                var result = await users.ResetPasswordAsync(user, token, password);
                if (result.Succeeded)
                {
                    return Results.Redirect($"/login?email={Uri.EscapeDataString(user.Email!)}&reset=1");
                }

                var message = result.Errors.Any(e => e.Code == "InvalidToken")
                    ? "This link does not work any more (it is used or older than an hour): ask for a new one."
                    : string.Join(" ", result.Errors.Select(e => e.Description));
                return Results.Redirect(Back(message));
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

        return app;
    }
}
