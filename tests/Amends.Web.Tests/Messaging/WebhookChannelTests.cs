using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Messaging;
using Amends.Web.Tests.Infrastructure;
using StandardWebhooks;

namespace Amends.Web.Tests.Messaging;

/// <summary>An app with an SMS channel connected by webhook, to a real HTTP receiver in the test process.</summary>
public abstract class WebhookApp(string provider) : IAsyncLifetime
{
    public static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public TestWebhookReceiver Receiver { get; private set; } = null!;

    public TestApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Receiver = await TestWebhookReceiver.StartAsync();
        App = new TestApp(provider, settings: new()
        {
            ["Amends:Channels:sms:Url"] = Receiver.Url,
            ["Amends:Channels:sms:Secret"] = Secret,
            ["Amends:Channels:chat:Url"] = Receiver.Url,
            ["Amends:Channels:chat:Secret"] = Secret,
            ["Amends:Outbox:PollSeconds"] = "0.2",
            ["Amends:Outbox:FirstRetrySeconds"] = "0.3",
            ["Amends:Outbox:LongestRetrySeconds"] = "1",
        });
        await App.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteWebhookApp() : WebhookApp("Sqlite");

public sealed class PostgresWebhookApp() : WebhookApp("Postgres");

public sealed class WebhookChannelTestsOnSqlite(SqliteWebhookApp fixture) : WebhookChannelTests(fixture), IClassFixture<SqliteWebhookApp>;

public sealed class WebhookChannelTestsOnPostgres(PostgresWebhookApp fixture) : WebhookChannelTests(fixture), IClassFixture<PostgresWebhookApp>;

public abstract class WebhookChannelTests(WebhookApp fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestApp App => fixture.App;

    [Fact]
    public async Task A_reply_by_SMS_is_posted_signed_with_the_message_s_fixed_id()
    {
        var c = await App.Agent.CaseAsync(ownerId: App.AgentUser.Id);

        var sent = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Your parcel comes tomorrow", channel = "Sms", consent = "Asked for texts" });

        Assert.Equal("webhook:sms", sent.Message!.Route);
        var (headers, body) = Assert.Single(await fixture.Receiver.WaitForAsync(1, b => b.Contains(c.Number, StringComparison.Ordinal)));
        new StandardWebhook(WebhookApp.Secret).Verify(body, headers);
        var message = await App.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{sent.Message.Id}");
        Assert.Equal(message.HeaderMessageId, headers["webhook-id"].ToString());
        using var json = JsonDocument.Parse(body);
        Assert.Equal(c.Customer.Phone, json.RootElement.GetProperty("to").GetString());
        Assert.Equal(c.Number, json.RootElement.GetProperty("caseNumber").GetString());
        Assert.StartsWith("Your parcel comes tomorrow", json.RootElement.GetProperty("text").GetString());
        Assert.Equal(OutboxState.Sent, (await StateAsync(sent.Message.Id, OutboxState.Sent)).State);
    }

    [Fact]
    public async Task A_4xx_is_permanent_and_a_5xx_is_retried_until_the_receiver_is_back()
    {
        var c = await App.Agent.CaseAsync(ownerId: App.AgentUser.Id);
        try
        {
            fixture.Receiver.Status = 410;
            var gone = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Gone", channel = "Sms", consent = "Asked for texts" });
            var failed = await StateAsync(gone.Message!.Id, OutboxState.Failed);
            Assert.Equal(OutboxState.Failed, failed.State);
            Assert.StartsWith("410", failed.LastError);

            fixture.Receiver.Status = 503;
            var busy = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Busy", channel = "Sms" });
            var waiting = await Eventually.UntilAsync(() => App.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{busy.Message!.Id}"), m => m.Item.Attempts >= 2);
            Assert.Equal(OutboxState.Queued, waiting.Item.State);
            fixture.Receiver.Status = 200;
            Assert.Equal(OutboxState.Sent, (await StateAsync(busy.Message!.Id, OutboxState.Sent)).State);
        }
        finally
        {
            fixture.Receiver.Status = 200;
        }
    }

    [Fact]
    public async Task A_signed_inbound_message_lands_on_the_customer_s_open_case_and_a_stranger_s_opens_one()
    {
        var c = await App.Agent.CaseAsync(ownerId: App.AgentUser.Id);
        var externalId = "sms-" + Guid.NewGuid().ToString("N");

        using var known = await PostInboundAsync(new { externalId, from = c.Customer.Phone, text = "Still nothing here", occurredAt = TimeProvider.System.GetUtcNow() });
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        var attached = await known.ReadAsync<InboundResult>();
        Assert.Equal(("Attached", c.Id), (attached.Action, attached.CaseId));
        var entry = Assert.Single((await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}")).Timeline, e => e.Kind == TimelineEntryKind.MessageIn);
        Assert.Equal(("Still nothing here", Channel.Sms), (entry.Body, entry.Channel));

        // The same message again (a retry with a new delivery id) is stored once and answers as the first time.
        using var again = await PostInboundAsync(new { externalId, from = c.Customer.Phone, text = "Still nothing here" });
        var replayed = await again.ReadAsync<InboundResult>();
        Assert.True(replayed.Replayed);
        Assert.Equal(c.Id, replayed.CaseId);
        Assert.Single((await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}")).Timeline, e => e.Kind == TimelineEntryKind.MessageIn);

        var stranger = "+44 7700 " + Random.Shared.Next(100000, 999999);
        using var fresh = await PostInboundAsync(new { externalId = "sms-" + Guid.NewGuid().ToString("N"), from = stranger, text = "Who do I talk to about a broken kettle?" });
        var opened = await fresh.ReadAsync<InboundResult>();
        Assert.Equal("Opened", opened.Action);
        var newCase = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{opened.CaseId}");
        Assert.Equal(stranger, newCase.Customer.Phone);
        Assert.Equal(Channel.Sms, newCase.Channel);
        Assert.Contains(newCase.Timeline, e => e.Kind == TimelineEntryKind.MessageIn && e.Body == "Who do I talk to about a broken kettle?");
    }

    [Fact]
    public async Task A_chat_handle_finds_its_customer_among_their_contact_points()
    {
        var handle = "@maya-" + Guid.NewGuid().ToString("N")[..8];
        var customer = await App.Agent.PostJsonAsync<Amends.Web.Features.Customers.CustomerDto>("/api/customers",
            new { name = "Maya Chat", contactPoints = new[] { new { channel = "Chat", address = handle } } });
        var c = await App.Agent.CaseAsync(customerId: customer.Id, ownerId: App.AgentUser.Id);

        using var response = await PostInboundAsync(new { externalId = Guid.NewGuid().ToString(), from = handle, text = "Hi from the chat widget" }, channel: "chat");

        var result = await response.ReadAsync<InboundResult>();
        Assert.Equal(("Attached", c.Id), (result.Action, result.CaseId));
        Assert.Contains((await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}")).Timeline, e => e.Kind == TimelineEntryKind.MessageIn && e.Channel == Channel.Chat);
    }

    [Fact]
    public async Task A_case_number_in_the_message_threads_it_onto_that_case()
    {
        var customer = await App.Agent.CustomerAsync();
        var older = await App.Agent.CaseAsync(customerId: customer.Id, ownerId: App.AgentUser.Id);
        await App.Agent.CaseAsync(customerId: customer.Id, ownerId: App.AgentUser.Id);

        using var response = await PostInboundAsync(new { externalId = Guid.NewGuid().ToString(), from = customer.Phone, text = "About the first one", caseNumber = older.Number });

        Assert.Equal(older.Id, (await response.ReadAsync<InboundResult>()).CaseId);
    }

    [Fact]
    public async Task A_wrong_secret_a_stale_timestamp_and_a_replayed_delivery_are_refused()
    {
        var c = await App.Agent.CaseAsync(ownerId: App.AgentUser.Id);
        var body = new { externalId = Guid.NewGuid().ToString(), from = c.Customer.Phone, text = "Hello" };

        using var wrong = await PostInboundAsync(body, secret: "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized, "webhook.signature_invalid");
        using var stale = await PostInboundAsync(body, at: TimeProvider.System.GetUtcNow().AddMinutes(-10));
        await stale.AssertProblemAsync(HttpStatusCode.Unauthorized, "webhook.timestamp_stale");
        using var unknown = await PostInboundAsync(body, channel: "pigeon");
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "channel.not_found");

        var id = "msg_" + Guid.NewGuid().ToString("N");
        using var first = await PostInboundAsync(body, webhookId: id);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var replay = await PostInboundAsync(body with { }, webhookId: id);
        await replay.AssertProblemAsync(HttpStatusCode.Conflict, "webhook.replayed");

        using var invalid = await PostInboundAsync(new { externalId = Guid.NewGuid().ToString(), from = c.Customer.Phone });
        Assert.NotEmpty((await invalid.AssertProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("text"));
    }

    [Fact]
    public async Task The_channel_s_delivery_reports_mark_messages_delivered_or_failed_on_the_timeline()
    {
        var c = await App.Agent.CaseAsync(ownerId: App.AgentUser.Id);
        var first = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Arrives tomorrow", channel = "Sms", consent = "Asked for texts" });
        var second = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Courier is on the way", channel = "Sms" });
        await StateAsync(first.Message!.Id, OutboxState.Sent);
        await StateAsync(second.Message!.Id, OutboxState.Sent);

        using var delivered = await PostInboundAsync(new { messageId = first.Message.Id, status = "Delivered" }, path: "status");
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.True((await delivered.ReadAsync<DeliveryReportResult>()).Changed);
        using var again = await PostInboundAsync(new { messageId = first.Message.Id, status = "Delivered" }, path: "status");
        Assert.False((await again.ReadAsync<DeliveryReportResult>()).Changed);

        using var failed = await PostInboundAsync(new { messageId = second.Message.Id, status = "Failed", reason = "Number not in service" }, path: "status");
        Assert.Equal(OutboxState.Failed, (await failed.ReadAsync<DeliveryReportResult>()).State);

        var detail = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(OutboxState.Delivered, detail.Timeline.Single(e => e.MessageId == first.Message.Id && e.Kind == TimelineEntryKind.MessageOut).Delivery!.State);
        Assert.Contains("Number not in service", detail.Timeline.Single(e => e.Kind == TimelineEntryKind.DeliveryFailed).Body, StringComparison.Ordinal);

        // Signed like everything else from the channel, and only about its own messages.
        using var forged = await PostInboundAsync(new { messageId = first.Message.Id, status = "Failed" }, secret: "whsec_" + Convert.ToBase64String(new byte[32]), path: "status");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        using var elsewhere = await PostInboundAsync(new { messageId = first.Message.Id, status = "Failed" }, channel: "chat", path: "status");
        await elsewhere.AssertProblemAsync(HttpStatusCode.NotFound, "outbox.not_found");
        using var nonsense = await PostInboundAsync(new { messageId = first.Message.Id, status = "Lost" }, path: "status");
        Assert.Equal(HttpStatusCode.BadRequest, nonsense.StatusCode);
    }

    private Task<HttpResponseMessage> PostInboundAsync(object payload, string? secret = null, DateTimeOffset? at = null, string? webhookId = null, string channel = "sms", string path = "inbound")
    {
        var body = JsonSerializer.Serialize(payload, JsonSerializerOptions.Web);
        var id = webhookId ?? "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = at ?? TimeProvider.System.GetUtcNow();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/channels/{channel}/{path}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhook(secret ?? WebhookApp.Secret).Sign(id, timestamp, body));
        return App.Anonymous.SendAsync(request, Ct);
    }

    private async Task<OutboxItem> StateAsync(Guid id, OutboxState state) =>
        (await Eventually.UntilAsync(() => App.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{id}"), m => m.Item.State == state)).Item;
}
