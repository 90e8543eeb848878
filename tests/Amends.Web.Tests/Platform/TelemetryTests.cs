using System.Net;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Platform;

/// <summary>Metrics on /metrics (Prometheus text) with Amends' own instruments, and traces over OTLP when it is configured.</summary>
[Collection(SqliteCollection.Name)]
public sealed class PrometheusTests(SqliteApp app)
{
    [Fact]
    public async Task Metrics_include_requests_and_amends_own_instruments()
    {
        await app.Agent.CaseAsync();
        await app.Services.GetRequiredService<Amends.Web.Jobs.DueWorkSweeper>().SweepOnceAsync(10, TestContext.Current.CancellationToken);

        var text = await app.Anonymous.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Contains("amends_cases_opened_total", text, StringComparison.Ordinal);
        Assert.Contains("amends_sweep_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("amends_approvals_waiting", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }
}

public sealed class OtlpExportTests : IAsyncLifetime
{
    private readonly HttpListener _collector = new();
    private readonly List<string> _received = [];
    private TestApp _app = null!;
    private int _port;

    public async ValueTask InitializeAsync()
    {
        _port = Amends.Reliability.ServerProcess.FreePort();
        _collector.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _collector.Start();
        _ = CollectAsync();
        _app = new TestApp("Sqlite", settings: new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{_port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _collector.Stop();
        _collector.Close();
    }

    [Fact]
    public async Task Traces_and_metrics_go_to_the_OTLP_endpoint_when_it_is_set()
    {
        await _app.Agent.CaseAsync();

        for (var i = 0; i < 100 && !(Received("/v1/traces") && Received("/v1/metrics")); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(Received("/v1/traces"), "no trace export arrived: " + string.Join(", ", _received));
        Assert.True(Received("/v1/metrics"), "no metric export arrived: " + string.Join(", ", _received));
    }

    private bool Received(string path)
    {
        lock (_received)
        {
            return _received.Contains(path);
        }
    }

    private async Task CollectAsync()
    {
        while (_collector.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _collector.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            lock (_received)
            {
                _received.Add(context.Request.Url!.AbsolutePath);
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
