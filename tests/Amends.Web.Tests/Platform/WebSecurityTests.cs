using System.Net;
using System.Text.RegularExpressions;
using Amends.Domain.Teams;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Platform;

/// <summary>OWASP ASVS level 2 basics: headers, CSRF on the cookie-authenticated API and on sign-out, sign-in limits, passwords.</summary>
public abstract class WebSecurityTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/login")]
    [InlineData("/api/cases")]
    [InlineData("/health")]
    public async Task Every_response_carries_the_security_headers_and_no_server_header(string url)
    {
        using var response = await app.Anonymous.GetAsync(url, Ct);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("camera=()", response.Headers.GetValues("Permissions-Policy").Single(), StringComparison.Ordinal);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline' ; ", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("Server", response.Headers.Select(h => h.Key));
    }

    [Fact]
    public async Task A_cookie_authenticated_api_write_needs_the_custom_header()
    {
        var browser = await SignedInAsync(app.AgentUser.Email!);

        using var forged = await browser.PostJsonAsync("/api/customers", new { name = "Forged" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/customers") { Content = System.Net.Http.Json.JsonContent.Create(new { name = "From our own page" }) };
        request.Headers.Add("X-Requested-With", "amends");
        using var allowed = await browser.SendAsync(request, Ct);
        using var read = await browser.GetAsync("/api/users/me", Ct);

        await forged.AssertProblemAsync(HttpStatusCode.Forbidden, "auth.csrf");
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Sign_out_needs_the_antiforgery_token()
    {
        var browser = await SignedInAsync(app.AgentUser.Email!);

        using var forged = await browser.PostAsync("/account/logout", new FormUrlEncodedContent([]), Ct);
        using var stillIn = await browser.GetAsync("/api/users/me", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_never_lock_the_account()
    {
        var user = await app.CreateUserAsync(app.Admin, Role.Agent, "unlockable");
        for (var i = 0; i < 15; i++)
        {
            var (_, wrong) = await SignInAsync(user.Email!, "Not-The-Password-" + i);
            Assert.Contains("error=invalid", wrong, StringComparison.Ordinal);
        }

        var (client, right) = await SignInAsync(user.Email!, "Test-Password-123");

        Assert.DoesNotContain("error=", right, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users/me", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("short-pass1")]
    [InlineData("password1234")]
    [InlineData("Password2026!")]
    [InlineData("qwertyqwertyqwerty")]
    [InlineData("aaaaaaaaaaaaaaaa")]
    public async Task Short_or_common_passwords_are_refused(string password)
    {
        using var response = await app.Admin.PostJsonAsync("/api/users", new
        {
            email = $"weak-{Guid.NewGuid():N}@amends.test", displayName = "Weak", password, role = "Agent", teamId = app.Team.Id,
        });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_admin_resets_a_password_the_old_one_stops_working_and_the_ledger_says_who()
    {
        var user = await app.CreateUserAsync(app.Admin, Role.Agent, "forgot");

        using var weak = await app.Admin.PostJsonAsync($"/api/users/{user.Id}/password", new { newPassword = "password1234" });
        await app.Admin.PostJsonAsync<Amends.Web.Features.Admin.UserDto>($"/api/users/{user.Id}/password", new { newPassword = "Brand-New-Passphrase-42" });

        await weak.AssertProblemAsync(HttpStatusCode.BadRequest, "user.invalid_newPassword");
        Assert.Contains("error=invalid", (await SignInAsync(user.Email!, "Test-Password-123")).Location, StringComparison.Ordinal);
        Assert.DoesNotContain("error=", (await SignInAsync(user.Email!, "Brand-New-Passphrase-42")).Location, StringComparison.Ordinal);
        var entries = await app.Admin.GetJsonAsync<Amends.Web.Features.Cases.Paged<Amends.Web.Features.Remedies.LedgerEntryDto>>("/api/ledger?action=user.password_reset&pageSize=100");
        Assert.Contains(entries.Items, e => e.Subject == $"user:{user.Id}" && e.ActorId == app.AdminUser.Id);
    }

    /// <summary>A browser-like client: cookies kept, the login form's antiforgery token sent back.</summary>
    protected async Task<HttpClient> SignedInAsync(string email)
    {
        var (client, location) = await SignInAsync(email, "Test-Password-123");
        Assert.DoesNotContain("error=", location, StringComparison.Ordinal);
        return client;
    }

    protected Task<(HttpClient Browser, string Location)> SignInAsync(string email, string password) => FormPosts.SignInAsync(app, email, password);
}

[Collection(SqliteCollection.Name)]
public sealed class WebSecurityTestsOnSqlite(SqliteApp app) : WebSecurityTests(app);

[Collection(PostgresCollection.Name)]
public sealed class WebSecurityTestsOnPostgres(PostgresApp app) : WebSecurityTests(app);

/// <summary>Sign-in limits, on an app of their own with low limits.</summary>
public sealed class LoginThrottleTests() : TestApp("Sqlite", settings: new()
{
    ["Amends:Login:PerAccountPerMinute"] = "3",
    ["Amends:Login:PerAddressPerMinute"] = "100",
})
{
    [Fact]
    public async Task After_the_account_s_allowance_even_the_right_password_waits_and_an_unknown_e_mail_is_treated_alike()
    {
        var helper = new Helper(this);
        for (var i = 0; i < 3; i++)
        {
            Assert.Contains("error=invalid", (await helper.SignInAsync(AgentUser.Email!, "Wrong-Password-Here")).Location, StringComparison.Ordinal);
        }

        var (_, throttled) = await helper.SignInAsync(AgentUser.Email!, "Test-Password-123");
        var unknown = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            unknown.Add((await helper.SignInAsync("nobody@amends.test", "Wrong-Password-Here")).Location);
        }

        Assert.Contains("error=slow", throttled, StringComparison.Ordinal);
        Assert.Equal(["error=invalid", "error=invalid", "error=invalid", "error=slow"], unknown.Select(l => Regex.Match(l, "error=[a-z]+").Value));
        Assert.DoesNotContain("error=", (await helper.SignInAsync(SupervisorUser.Email!, "Test-Password-123")).Location, StringComparison.Ordinal);
    }

    private sealed class Helper(TestApp app) : WebSecurityTests(app)
    {
        public new Task<(HttpClient Browser, string Location)> SignInAsync(string email, string password) => base.SignInAsync(email, password);
    }
}

/// <summary>The API reference is a reference, not a storefront.</summary>
[Collection(SqliteCollection.Name)]
public sealed class ApiReferenceTests(SqliteApp app)
{
    [Fact]
    public async Task The_api_reference_page_has_no_upsell_buttons_and_no_telemetry()
    {
        var page = await app.Anonymous.GetStringAsync("/api-docs/", TestContext.Current.CancellationToken);
        var config = page.Replace(" ", "", StringComparison.Ordinal);

        Assert.Contains("\"hideClientButton\":true", config, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", config, StringComparison.Ordinal);
        Assert.Contains("\"showDeveloperTools\":\"never\"", config, StringComparison.Ordinal);
        Assert.Matches("\"agent\":\\{\"disabled\":true", config);
        Assert.Matches("\"mcp\":\\{\"disabled\":true", config);
    }
}
