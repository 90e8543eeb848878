using System.Net;
using Amends.Domain.Teams;
using Amends.Web.Features.Account;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Platform;

/// <summary>Two-factor sign-in: set up with an authenticator code, the second step at sign-in, recovery codes, and a role that requires it.</summary>
public abstract class TwoFactorTests(string provider) : IAsyncLifetime
{
    private TestApp _app = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = new TestApp(provider);
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task With_two_factor_on_a_password_alone_does_not_sign_in_a_code_does_and_a_recovery_code_works_once()
    {
        var user = await _app.CreateUserAsync(_app.Admin, Role.Agent, "careful");
        var (key, recovery) = await EnableAsync(user.Id);
        Assert.Equal(TwoFactor.RecoveryCodeCount, recovery.Count);

        var (client, location) = await SignInAsync(user.Email!, "Test-Password-123");
        Assert.StartsWith("/login/2fa", location, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/users/me", Ct)).StatusCode);
        Assert.Contains("error=invalid", await SecondStepAsync(client, "000000" == Totp.Code(key) ? "111111" : "000000"), StringComparison.Ordinal);
        Assert.Equal("/", await SecondStepAsync(client, Totp.Code(key)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users/me", Ct)).StatusCode);

        var (again, _) = await SignInAsync(user.Email!, "Test-Password-123");
        Assert.Equal("/", await SecondStepAsync(again, recovery[0]));
        var (third, _) = await SignInAsync(user.Email!, "Test-Password-123");
        Assert.Contains("error=invalid", await SecondStepAsync(third, recovery[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_that_requires_it_sends_its_members_to_set_it_up_and_the_ledger_says_who_required_it()
    {
        var user = await _app.CreateUserAsync(_app.Admin, Role.Agent, "required");
        var apiKeyClient = await _app.ClientForUserAsync(_app.Admin, user);
        using (var request = new HttpRequestMessage(HttpMethod.Put, "/api/security/two-factor/Agent") { Content = System.Net.Http.Json.JsonContent.Create(new { required = true }) })
        {
            using var set = await _app.Admin.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var (client, location) = await SignInAsync(user.Email!, "Test-Password-123");
        Assert.Equal("/", location);

        using var api = await client.GetAsync("/api/cases", Ct);
        await api.AssertProblemAsync(HttpStatusCode.Forbidden, "auth.two_factor_required");
        using var page = await client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/me", page.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/me", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await apiKeyClient.GetAsync("/api/cases", Ct)).StatusCode);

        await EnableAsync(user.Id);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/cases", Ct)).StatusCode);
        await using var scope = _app.Scope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<TwoFactor>().DisableAsync(user.Id)).Error?.Code == "two_factor.required");
        var entries = await _app.Admin.GetJsonAsync<Amends.Web.Features.Cases.Paged<Amends.Web.Features.Remedies.LedgerEntryDto>>("/api/ledger?action=security.two_factor");
        Assert.Contains(entries.Items, e => e.Subject == "role:Agent" && e.ActorId == _app.AdminUser.Id);
    }

    private async Task<(string Key, IReadOnlyList<string> Recovery)> EnableAsync(Guid userId)
    {
        await using var scope = _app.Scope();
        var twoFactor = scope.ServiceProvider.GetRequiredService<TwoFactor>();
        var setup = await twoFactor.BeginAsync(userId);
        var key = setup.SharedKey.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        Assert.Contains($"secret={key}", setup.AuthenticatorUri, StringComparison.Ordinal);
        var wrong = await twoFactor.EnableAsync(userId, "12345");
        Assert.Equal("two_factor.code_invalid", wrong.Error?.Code);
        var enabled = await twoFactor.EnableAsync(userId, Totp.Code(key));
        Assert.True(enabled.IsSuccess, enabled.Error?.Message);
        return (key, enabled.Value);
    }

    private Task<(HttpClient Browser, string Location)> SignInAsync(string email, string password) => FormPosts.SignInAsync(_app, email, password);

    private static async Task<string> SecondStepAsync(HttpClient browser, string code)
    {
        using var response = await FormPosts.PostAsync(browser, "/login/2fa", "/account/login/2fa", new() { ["code"] = code });
        return response.Headers.Location!.ToString();
    }
}

public sealed class TwoFactorTestsOnSqlite() : TwoFactorTests("Sqlite");

public sealed class TwoFactorTestsOnPostgres() : TwoFactorTests("Postgres");
