using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Amends.Web.Tests.Infrastructure;

/// <summary>
/// A real SMTP server in the test process (the SmtpServer package) on a free loopback port: it keeps every message it
/// accepts, parsed, and refuses recipients <see cref="Refuse"/> names with a 550. It can be stopped and started again on
/// the same port, as a mail server that goes down for a while.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private CancellationTokenSource? _running;
    private Task? _serving;

    public TestSmtpServer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public ConcurrentQueue<MimeMessage> Received { get; } = new();

    /// <summary>Recipients answered with "550 mailbox unavailable".</summary>
    public Func<string, bool> Refuse { get; set; } = _ => false;

    public bool Running => _running is not null;

    public static async Task<TestSmtpServer> StartAsync()
    {
        var server = new TestSmtpServer();
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(this));
        services.Add(new NoDelayListenerFactory());
        var server = new SmtpServer.SmtpServer(options, services);
        _running = new CancellationTokenSource();
        _serving = server.StartAsync(_running.Token);

        // Listening once a connection is accepted.
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_running is null)
        {
            return;
        }

        await _running.CancelAsync();
        try
        {
            await _serving!;
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }

        _running.Dispose();
        _running = null;
    }

    /// <summary>Waits until <paramref name="count"/> messages have arrived (or the time is up) and returns what came.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan? within = null, Func<MimeMessage, bool>? which = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (within ?? TimeSpan.FromSeconds(20));
        while (Received.Count(m => which?.Invoke(m) ?? true) < count && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(50);
        }

        return [.. Received.Where(m => which?.Invoke(m) ?? true)];
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Store(TestSmtpServer owner) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            owner.Received.Enqueue(MimeMessage.Load(stream, cancellationToken));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }

    private sealed class Filter(TestSmtpServer owner) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!owner.Refuse(to.AsAddress()));
    }
}

