using System.Net;
using System.Text.RegularExpressions;
using Amends.Domain.Teams;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Messaging;

/// <summary>Staff reset their own password by e-mail once mail is configured; the link works once, for an hour.</summary>
public sealed partial class PasswordResetTests(SmtpApp fixture) : IClassFixture<SmtpApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestApp App => fixture.App;

    [Fact]
    public async Task A_forgotten_password_is_reset_from_the_link_in_the_mail_and_the_link_then_stops_working()
    {
        var user = await App.CreateUserAsync(App.Admin, Role.Agent, "forgetful");
        using var browser = FormPosts.Browser(App);

        using var asked = await FormPosts.PostAsync(browser, "/account/forgot", "/account/forgot", new() { ["email"] = user.Email!.ToUpperInvariant() });

        Assert.Equal("/account/forgot?sent=1", asked.Headers.Location?.ToString());
        var mail = Assert.Single(await fixture.Smtp.WaitForAsync(1, which: m => m.To.Mailboxes.Any(a => a.Address == user.Email)));
        Assert.Equal("Reset your Amends password", mail.Subject);
        var link = new Uri(ResetLink().Match(mail.TextBody ?? "").Value);
        Assert.Equal(App.BaseAddress.Authority, link.Authority);
        var page = link.PathAndQuery;

        // The outbox shows that it went, never the link itself.
        var listed = await App.Supervisor.GetJsonAsync<Amends.Web.Features.Cases.Paged<Amends.Web.Features.Messaging.OutboxItem>>("/api/outbox?pageSize=200");
        var item = listed.Items.First(i => i.To == user.Email && i.Kind == Amends.Domain.Messaging.MessageKind.PasswordReset);
        var shown = await App.Supervisor.GetJsonAsync<Amends.Web.Features.Messaging.OutboxMessage>($"/api/outbox/{item.Id}");
        Assert.DoesNotContain("token=", shown.TextBody);
        Assert.Null(shown.HtmlBody);

        using var weak = await FormPosts.PostAsync(browser, page, "/account/reset", Fields(page, "password123456"));
        Assert.Contains("error=", weak.Headers.Location!.ToString());
        using var saved = await FormPosts.PostAsync(browser, page, "/account/reset", Fields(page, "Lighthouse-keeper-2027"));
        Assert.StartsWith("/login?", saved.Headers.Location!.ToString());
        Assert.Contains("reset=1", saved.Headers.Location!.ToString());

        var (_, signedIn) = await FormPosts.SignInAsync(App, user.Email!, "Lighthouse-keeper-2027");
        Assert.Equal("/", signedIn);
        using var again = await FormPosts.PostAsync(browser, page, "/account/reset", Fields(page, "Another-long-phrase-2028"));
        Assert.Contains(Uri.EscapeDataString("does not work any more"), again.Headers.Location!.ToString());
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_and_no_mail()
    {
        var before = fixture.Smtp.Received.Count;
        using var browser = FormPosts.Browser(App);

        using var asked = await FormPosts.PostAsync(browser, "/account/forgot", "/account/forgot", new() { ["email"] = $"nobody-{Guid.NewGuid():N}@amends.test" });

        Assert.Equal("/account/forgot?sent=1", asked.Headers.Location?.ToString());
        await Task.Delay(1000, Ct);
        Assert.DoesNotContain(fixture.Smtp.Received.Skip(before), m => m.Subject == "Reset your Amends password" && m.To.Mailboxes.Any(a => a.Address.StartsWith("nobody-", StringComparison.Ordinal)));
    }

    private static Dictionary<string, string> Fields(string page, string password)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + page).Query);
        return new() { ["email"] = query["email"]!, ["token"] = query["token"]!, ["password"] = password, ["confirm"] = password };
    }

    [GeneratedRegex(@"http\S+/account/reset\?\S+")]
    private static partial Regex ResetLink();
}

/// <summary>Without e-mail, the page says whom to ask instead of pretending to send.</summary>
[Collection(SqliteCollection.Name)]
public sealed class PasswordResetWithoutMailTests(SqliteApp app)
{
    [Fact]
    public async Task Without_mail_the_page_sends_people_to_an_admin()
    {
        var page = await app.Anonymous.GetStringAsync("/account/forgot", TestContext.Current.CancellationToken);

        Assert.Contains("ask an admin to set a new password", page);
        Assert.DoesNotContain("action=\"/account/forgot\"", page);
    }
}
