using System.Net;
using System.Text.RegularExpressions;
using Amends.Reliability;

namespace Amends.Production.Tests;

/// <summary>The README's production start, for real: the published output, <c>ASPNETCORE_ENVIRONMENT=Production</c>, a fresh machine's empty data folder.</summary>
public sealed partial class ProductionStartTests(PublishedApp published) : IAsyncLifetime
{
    private ServerProcess _server = null!;
    private string _work = "";

    public async ValueTask InitializeAsync()
    {
        _work = published.NewWorkDirectory("start");
        _server = new ServerProcess(published.Directory, new Dictionary<string, string>
        {
            ["ConnectionStrings__Amends"] = $"Data Source={Path.Combine(_work, "amends.db")}",
            ["Amends__Bootstrap__AdminEmail"] = "ops@amends.test",
            ["Amends__Bootstrap__AdminPassword"] = "Production-Start-Password-1",
            ["Amends__PublicBaseUrl"] = "https://amends.example.com",
        });
        await _server.StartAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_login_page_loads_with_every_style_and_script_it_names()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };

        var page = await http.GetStringAsync("/login", ct);

        var assets = Asset().Matches(page).Select(m => m.Groups["url"].Value).Where(u => !u.StartsWith("data:", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.Contains("blazor.web", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            using var response = await http.GetAsync(asset.TrimStart('/'), ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}\n{_server.Output}");
            Assert.True(body.Length > 100, $"{asset} is nearly empty ({body.Length} bytes)");
        }
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_and_readiness_names_the_database()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };

        using var live = await http.GetAsync("/health/live", ct);
        using var ready = await http.GetAsync("/health/ready", ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("database", await ready.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [GeneratedRegex("""(?:href|src)="(?<url>[^"]+\.(?:css|js))""")]
    private static partial Regex Asset();
}
