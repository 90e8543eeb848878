using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Amends.Web.Tests.Infrastructure;

/// <summary>A real HTTP endpoint in the test process that a webhook channel posts to: it keeps each request and answers <see cref="Status"/>.</summary>
public sealed class TestWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Url = $"http://127.0.0.1:{port}/hook";
    }

    public string Url { get; }

    public ConcurrentQueue<(IHeaderDictionary Headers, string Body)> Received { get; } = new();

    /// <summary>What the receiver answers; 200 unless a test says otherwise.</summary>
    public int Status { get; set; } = 200;

    public static async Task<TestWebhookReceiver> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        TestWebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver!.Received.Enqueue((new HeaderDictionary(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value)), body));
            return Results.StatusCode(receiver.Status);
        });
        receiver = new TestWebhookReceiver(app, port);
        await app.StartAsync();
        return receiver;
    }

    public async Task<IReadOnlyList<(IHeaderDictionary Headers, string Body)>> WaitForAsync(int count, Func<string, bool>? which = null)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
        while (Received.Count(r => which?.Invoke(r.Body) ?? true) < count && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(50);
        }

        return [.. Received.Where(r => which?.Invoke(r.Body) ?? true)];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
