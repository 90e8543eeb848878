using System.Net;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Platform;

/// <summary>
/// Behind a TLS proxy: the proxy's forwarded scheme is believed only from a trusted address (the sign-in cookie then
/// follows the scheme the browser used); in Production the sign-in cookie is always Secure and HttpOnly.
/// </summary>
public sealed class ProxyTests : IAsyncLifetime
{
    private TestApp _trusting = null!;
    private TestApp _plain = null!;
    private TestApp _production = null!;

    public async ValueTask InitializeAsync()
    {
        // AllowInsecureCookies makes the cookie follow the request's scheme, which is what shows whose word counts.
        _trusting = new TestApp("Sqlite", settings: new() { ["Amends:Security:TrustedProxies:0"] = "127.0.0.1" });
        _plain = new TestApp("Sqlite");
        _production = new TestApp("Sqlite", settings: new() { ["Amends:Security:AllowInsecureCookies"] = "false" });
        await Task.WhenAll(_trusting.InitializeAsync().AsTask(), _plain.InitializeAsync().AsTask(), _production.InitializeAsync().AsTask());
    }

    public async ValueTask DisposeAsync()
    {
        await _trusting.DisposeAsync();
        await _plain.DisposeAsync();
        await _production.DisposeAsync();
    }

    [Fact]
    public async Task A_trusted_proxy_s_https_counts_and_an_untrusted_one_s_does_not()
    {
        var viaProxy = await SignInCookieAsync(_trusting, forwardedHttps: true);
        var spoofed = await SignInCookieAsync(_plain, forwardedHttps: true);

        Assert.Contains("secure", viaProxy, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", spoofed, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_sign_in_cookie_is_secure_and_http_only_in_production()
    {
        var cookie = await SignInCookieAsync(_production, forwardedHttps: false);

        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Signs the app's agent in and returns the sign-in cookie's Set-Cookie header.</summary>
    private static async Task<string> SignInCookieAsync(TestApp app, bool forwardedHttps)
    {
        using var browser = FormPosts.Browser(app);
        using var response = await FormPosts.PostAsync(browser, "/login", "/account/login",
            new() { ["email"] = app.AgentUser.Email!, ["password"] = "Test-Password-123" },
            request =>
            {
                if (forwardedHttps)
                {
                    request.Headers.Add("X-Forwarded-Proto", "https");
                    request.Headers.Add("X-Forwarded-For", "203.0.113.7");
                }
            });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("error=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        return Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("amends.auth=", StringComparison.Ordinal));
    }
}
