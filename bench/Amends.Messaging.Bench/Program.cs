using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web;
using Amends.Web.Features.Messaging;
using Amends.Web.Features.Messaging.Transports;
using Amends.Web.Persistence;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Amends.Web.Tests.Infrastructure;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

// The performance goals of "Talk to the customer" (issue 8), on this machine, SQLite:
//  1. outbox delivery to a local SMTP server (messages/s of one instance) against a bare MailKit loop over one connection;
//  2. from a customer-visible change (acknowledging a case over the API) to its message handed to SMTP (coalescing off);
//  3. the customer's status page at a steady 200 requests/s.
// Usage: dotnet run -c Release --project bench/Amends.Messaging.Bench -- [messages=3000] [changes=200] [statusSeconds=20]
var messages = int.Parse(args.ElementAtOrDefault(0) ?? "3000", CultureInfo.InvariantCulture);
var changes = int.Parse(args.ElementAtOrDefault(1) ?? "200", CultureInfo.InvariantCulture);
var statusSeconds = int.Parse(args.ElementAtOrDefault(2) ?? "20", CultureInfo.InvariantCulture);

var received = new ConcurrentQueue<(DateTimeOffset At, string Subject)>();
var smtpPort = FreePort();
var smtp = new SmtpServer.SmtpServer(
    new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, smtpPort))).Build(),
    Services(received));
var smtpRun = smtp.StartAsync(CancellationToken.None);

// 1a. The ceiling: MailKit alone, one connection, messages built exactly as the outbox builds them.
var from = new MailboxAddress("Care", "care@bench.test");
var sample = Enumerable.Range(0, messages).Select(i => new Outgoing(OutboundMessage.Queue(MessageKind.Reply, Channel.Email, Routes.Smtp, $"c{i}@example.com", "Customer",
    $"Ceiling {i}", "Hello, this is a message of a typical length to a customer about their case.\n\n-- \nAlex", "<p>Hello</p>", "bench.test", TimeProvider.System.GetUtcNow()), [])).ToList();
var ceilingRate = 0.0;
using (var client = new SmtpClient())
{
    await client.ConnectAsync("127.0.0.1", smtpPort, MailKit.Security.SecureSocketOptions.None);
    foreach (var o in sample.Take(500))
    {
        await client.SendAsync(SmtpTransport.Build(o, from)); // warm-up: tiered JIT, as the app's worker has had
    }

    var ceiling = Stopwatch.StartNew();
    foreach (var o in sample)
    {
        await client.SendAsync(SmtpTransport.Build(o, from));
    }

    ceiling.Stop();
    await client.DisconnectAsync(true);
    Console.WriteLine($"ceiling: bare MailKit loop, one connection: {messages / ceiling.Elapsed.TotalSeconds:N0} messages/s ({messages:N0} in {ceiling.Elapsed.TotalSeconds:F2} s)");
    ceilingRate = messages / ceiling.Elapsed.TotalSeconds;
}

// The app, on a fresh SQLite file, with e-mail through that server and no coalescing window.
var dbPath = Path.Combine(Path.GetTempPath(), $"amends-msg-bench-{Guid.NewGuid():N}.db");
const string key = "amk_bench_0123456789abcdefghijklmnopqrstuvwxyz0123";
var app = AmendsApp.Build(
[
    "--Database:Provider=Sqlite", $"--ConnectionStrings:Amends=Data Source={dbPath}", "--Amends:Jobs:Enabled=false", "--Amends:Demo=false",
    "--Amends:Bootstrap:AdminEmail=bench@amends.test", "--Amends:Bootstrap:AdminPassword=Bench-Password-1", $"--Amends:Bootstrap:ApiKey={key}",
    "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning",
    "--Amends:Email:Smtp:Host=127.0.0.1", $"--Amends:Email:Smtp:Port={smtpPort}", "--Amends:Email:Smtp:Security=None",
    "--Amends:Email:Smtp:From=Care <care@bench.test>", "--Amends:Updates:CoalesceSeconds=0", "--Amends:Outbox:PollSeconds=0.05",
    "--Amends:Status:PerAddressPerMinute=1000000",
], withUi: true);
await app.StartAsync();
var baseUrl = app.Urls.First();
using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
var team = await Post<IdOnly>("/api/teams", new { name = "Bench", quiet = new { from = (string?)null, until = (string?)null } });
var customer = await Post<IdOnly>("/api/customers", new { name = "Bench Customer", email = "bench@example.com" });
var me = (await http.GetFromJsonAsync<List<UserRow>>("/api/users"))!.First();
var c = await Post<CaseRow>("/api/cases", new { customerId = customer.Id, category = "LateDelivery", summary = "Bench", channel = "Email", teamId = team.Id, ownerId = me.Id });

// 1b. The outbox: N messages queued at once, delivered by the app's worker.
await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
    var now = TimeProvider.System.GetUtcNow();
    for (var i = 0; i < messages; i++)
    {
        db.Outbox.Add(OutboundMessage.Queue(MessageKind.Update, Channel.Email, Routes.Smtp, $"c{i}@example.com", "Customer", $"Outbox {i}",
            "Hello, this is a message of a typical length to a customer about their case.\n\n-- \nAlex", "<p>Hello</p>", "bench.test", now,
            new CaseId(c.Id), new CustomerId(customer.Id), automatic: true));
    }

    await db.SaveChangesAsync();
}

var outbox = Stopwatch.StartNew();
while (received.Count(r => r.Subject.StartsWith("Outbox ", StringComparison.Ordinal)) < messages && outbox.Elapsed < TimeSpan.FromMinutes(5))
{
    await Task.Delay(5);
}

outbox.Stop();
var rate = messages / outbox.Elapsed.TotalSeconds;
Console.WriteLine($"outbox: {messages:N0} queued messages delivered in {outbox.Elapsed.TotalSeconds:F2} s: {rate:N0} messages/s, {rate / ceilingRate:P0} of the ceiling");

// 2. From a change to SMTP: acknowledge a fresh case, wait for its automatic update at the server.
var latencies = new List<double>();
for (var i = 0; i < changes; i++)
{
    var fresh = await Post<CaseRow>("/api/cases", new { customerId = customer.Id, category = "LateDelivery", summary = "Latency " + i, channel = "Email", teamId = team.Id, ownerId = me.Id });
    var watch = Stopwatch.StartNew();
    using (var ack = await http.PostAsync($"/api/cases/{fresh.Id}/acknowledge", null))
    {
        ack.EnsureSuccessStatusCode();
    }

    while (!received.Any(r => r.Subject.Contains(fresh.Number, StringComparison.Ordinal)) && watch.Elapsed < TimeSpan.FromSeconds(30))
    {
        await Task.Delay(2);
    }

    latencies.Add(watch.Elapsed.TotalMilliseconds);
}

latencies.Sort();
Console.WriteLine($"change to SMTP (acknowledge → automatic update accepted by the server): p50 {P(latencies, 0.50):F0} ms, p95 {P(latencies, 0.95):F0} ms, max {latencies[^1]:F0} ms over {changes}");

// 3. The status page at a steady 200 requests/s (served by the API host here: the page is a plain server-rendered form).
var link = (await http.GetFromJsonAsync<LinkRow>($"/api/cases/{c.Id}/status-link"))!;
using var anonymous = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
for (var i = 0; i < 200; i++)
{
    (await anonymous.GetAsync(link.Url)).EnsureSuccessStatusCode();
}

var pageTimes = new ConcurrentBag<double>();
var failures = 0;
var total = 200 * statusSeconds;
var clock = Stopwatch.StartNew();
var tasks = new List<Task>(total);
for (var i = 0; i < total; i++)
{
    var due = TimeSpan.FromMilliseconds(i * 5.0);
    var wait = due - clock.Elapsed;
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }

    tasks.Add(Task.Run(async () =>
    {
        var watch = Stopwatch.StartNew();
        using var response = await anonymous.GetAsync(link.Url);
        await response.Content.ReadAsByteArrayAsync();
        pageTimes.Add(watch.Elapsed.TotalMilliseconds);
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref failures);
        }
    }));
}

await Task.WhenAll(tasks);
var sorted = pageTimes.Order().ToList();
Console.WriteLine($"status page at {total / clock.Elapsed.TotalSeconds:N0} requests/s for {clock.Elapsed.TotalSeconds:F0} s: p50 {P(sorted, 0.50):F1} ms, p95 {P(sorted, 0.95):F1} ms, p99 {P(sorted, 0.99):F1} ms, {failures} failed");

await app.StopAsync();
smtp.Shutdown();
File.Delete(dbPath);
return;

async Task<T> Post<T>(string url, object body)
{
    using var response = await http.PostAsJsonAsync(url, body);
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<T>())!;
}

static double P(List<double> sorted, double q) => sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1)];

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static SmtpServer.ComponentModel.ServiceProvider Services(ConcurrentQueue<(DateTimeOffset, string)> received)
{
    var services = new SmtpServer.ComponentModel.ServiceProvider();
    services.Add(new CountingStore(received));
    services.Add(new NoDelayListenerFactory());
    return services;
}

internal sealed record IdOnly(Guid Id);

internal sealed record UserRow(Guid Id);

internal sealed record CaseRow(Guid Id, string Number);

internal sealed record LinkRow(string Url);

/// <summary>Keeps the subject and arrival time of each message (parsing only the headers).</summary>
internal sealed class CountingStore(ConcurrentQueue<(DateTimeOffset, string)> received) : MessageStore
{
    public override Task<SmtpServer.Protocol.SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(buffer.ToArray());
        var headers = HeaderList.Load(stream, cancellationToken);
        received.Enqueue((TimeProvider.System.GetUtcNow(), headers[HeaderId.Subject] ?? ""));
        return Task.FromResult(SmtpServer.Protocol.SmtpResponse.Ok);
    }
}


