using System.Net;
using System.Text.RegularExpressions;

namespace Amends.Web.Tests.Infrastructure;

/// <summary>What a browser does with Amends' plain HTML forms (sign-in, its second step): keep cookies, send the antiforgery token back.</summary>
public static partial class FormPosts
{
    public static HttpClient Browser(TestApp app) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };

    /// <summary>Opens <paramref name="page"/>, then posts its form to <paramref name="action"/> with the page's antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string page, string action, Dictionary<string, string> fields, Action<HttpRequestMessage>? adjust = null)
    {
        var form = await browser.GetStringAsync(page, TestContext.Current.CancellationToken);
        fields["__RequestVerificationToken"] = AntiforgeryField().Match(form).Groups["token"].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
        adjust?.Invoke(request);
        return await browser.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Signs in with the sign-in form; returns the browser and where the answer sends it.</summary>
    public static async Task<(HttpClient Browser, string Location)> SignInAsync(TestApp app, string email, string password)
    {
        var browser = Browser(app);
        using var response = await PostAsync(browser, "/login", "/account/login", new() { ["email"] = email, ["password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return (browser, response.Headers.Location!.ToString());
    }

    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="(?<token>[^"]+)"|type="hidden" name="__RequestVerificationToken" value="(?<token>[^"]+)""")]
    private static partial Regex AntiforgeryField();
}
