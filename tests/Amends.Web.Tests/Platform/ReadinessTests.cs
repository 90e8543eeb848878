using System.Diagnostics;
using System.Net;
using Amends.Web.Tests.Infrastructure;
using Npgsql;

namespace Amends.Web.Tests.Platform;

/// <summary>
/// Readiness follows the database: when PostgreSQL stops answering, <c>/health/ready</c> fails within seconds while
/// <c>/health/live</c> stays up, and readiness comes back by itself when the database does.
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private TcpProxy _proxy = null!;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.PostgresAsync();
        var direct = new NpgsqlConnectionStringBuilder(_database.ConnectionString);
        _proxy = new TcpProxy(direct.Host!, direct.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Host = "127.0.0.1", Port = _proxy.Port, Timeout = 2 };
        _app = new TestApp("Postgres", settings: new() { ["ConnectionStrings:Amends"] = viaProxy.ConnectionString }, sharedDatabase: _database);
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _proxy.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Readiness_fails_within_seconds_when_the_database_is_gone_and_recovers_by_itself()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/health/ready"));

        _proxy.Cut();
        var down = await WaitForAsync("/health/ready", HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/health/live"));

        _proxy.Restore();
        var up = await WaitForAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(20));

        Assert.True(down, "readiness still said ready with the database gone");
        Assert.True(up, "readiness did not recover when the database came back");
    }

    private async Task<HttpStatusCode> StatusAsync(string url)
    {
        using var response = await _app.Anonymous.GetAsync(url, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private async Task<bool> WaitForAsync(string url, HttpStatusCode status, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (await StatusAsync(url) == status)
            {
                return true;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        return false;
    }
}
