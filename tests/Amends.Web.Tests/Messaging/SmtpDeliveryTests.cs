using System.Net;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Messaging;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Amends.Web.Tests.Messaging;

/// <summary>An app whose e-mail goes through a real SMTP server running in the test process.</summary>
public sealed class SmtpApp : IAsyncLifetime
{
    public TestSmtpServer Smtp { get; private set; } = null!;

    public TestApp App { get; private set; } = null!;

    public static Dictionary<string, string?> SettingsFor(TestSmtpServer smtp) => new()
    {
        ["Amends:Email:Smtp:Host"] = "127.0.0.1",
        ["Amends:Email:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Amends:Email:Smtp:Security"] = "None",
        ["Amends:Email:Smtp:From"] = "Care team <care@shop.test>",
        ["Amends:Organisation:Name"] = "Test Shop",
        ["Amends:Outbox:PollSeconds"] = "0.2",
        ["Amends:Outbox:FirstRetrySeconds"] = "0.3",
        ["Amends:Outbox:LongestRetrySeconds"] = "1",
    };

    public async ValueTask InitializeAsync()
    {
        Smtp = await TestSmtpServer.StartAsync();
        App = new TestApp("Sqlite", settings: SettingsFor(Smtp));
        await App.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class SmtpDeliveryTests(SmtpApp fixture) : IClassFixture<SmtpApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestApp App => fixture.App;

    [Fact]
    public async Task A_reply_arrives_at_the_SMTP_server_as_multipart_mail_with_the_case_number_and_its_thread()
    {
        var c = await App.Agent.CaseAsync(ownerId: App.AgentUser.Id);
        var label = "%PDF-1.4 return label"u8.ToArray();

        var first = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new
        {
            body = "We are sorry: your label is attached.",
            attachments = new[] { new { fileName = "label.pdf", content = Convert.ToBase64String(label), contentType = "application/pdf" } },
        });
        var second = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "And the courier comes on Monday." });

        var mails = await fixture.Smtp.WaitForAsync(2, which: m => m.Subject?.Contains(c.Number, StringComparison.Ordinal) == true);
        Assert.Equal(2, mails.Count);
        var a = mails.Single(m => m.MessageId == Bare(first.Message!.Id));
        var b = mails.Single(m => m.MessageId == Bare(second.Message!.Id));
        Assert.Equal($"Your case {c.Number} with Test Shop", a.Subject);
        Assert.Equal("care@shop.test", a.From.Mailboxes.Single().Address);
        Assert.Equal(c.Customer.Email, a.To.Mailboxes.Single().Address);
        Assert.Equal(c.Customer.Name, a.To.Mailboxes.Single().Name);
        Assert.StartsWith("We are sorry: your label is attached.", a.TextBody);
        Assert.Contains("<p>We are sorry: your label is attached.</p>", a.HtmlBody);
        var attachment = Assert.Single(a.Attachments.OfType<MimePart>());
        Assert.Equal("label.pdf", attachment.FileName);
        using (var content = new MemoryStream())
        {
            await attachment.Content!.DecodeToAsync(content, Ct);
            Assert.Equal(label, content.ToArray());
        }

        Assert.Null(a.Headers[HeaderId.AutoSubmitted]);
        Assert.Equal(a.MessageId, b.InReplyTo);
        Assert.Equal([a.MessageId!], b.References);
        Assert.Equal("Re: " + a.Subject, b.Subject);
        Assert.Equal(OutboxState.Sent, (await StateAsync(first.Message!.Id, OutboxState.Sent)).State);
        var timeline = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.All(timeline.Timeline.Where(e => e.Kind == TimelineEntryKind.MessageOut), e => Assert.Equal(OutboxState.Sent, e.Delivery?.State));
    }

    [Fact]
    public async Task A_recipient_the_server_refuses_for_good_fails_at_once_with_the_reason_on_the_timeline()
    {
        var customer = await App.Agent.PostJsonAsync<Amends.Web.Features.Customers.CustomerDto>("/api/customers",
            new { name = "Gone Away", email = $"gone-{Guid.NewGuid():N}@example.com" });
        fixture.Smtp.Refuse = to => to == customer.Email;
        var c = await App.Agent.CaseAsync(customerId: customer.Id, ownerId: App.AgentUser.Id);

        var sent = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Hello?" });

        var failed = await StateAsync(sent.Message!.Id, OutboxState.Failed);
        Assert.Equal(OutboxState.Failed, failed.State);
        Assert.Equal(1, failed.Attempts);
        Assert.StartsWith("550", failed.LastError);
        var after = await Eventually.UntilAsync(async () => await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}"), x => x.Timeline.Any(e => e.Kind == TimelineEntryKind.DeliveryFailed));
        var note = Assert.Single(after.Timeline, e => e.Kind == TimelineEntryKind.DeliveryFailed);
        Assert.Contains(customer.Email!, note.Body);
        Assert.Contains("550", note.Body);
        var listed = await App.Supervisor.GetJsonAsync<Paged<OutboxItem>>($"/api/outbox?state=Failed&caseId={c.Id}");
        Assert.Equal(sent.Message.Id, Assert.Single(listed.Items).Id);
    }

    [Fact]
    public async Task While_the_SMTP_server_is_down_messages_wait_and_each_is_delivered_once_when_it_is_back()
    {
        var c = await App.Agent.CaseAsync(ownerId: App.AgentUser.Id);
        await fixture.Smtp.StopAsync();
        ReplyResult[] sent;
        try
        {
            sent = [
                await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "One" }),
                await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Two" }),
            ];

            // Tried, failed, waiting for the next attempt with the reason.
            var waiting = await Eventually.UntilAsync(() => App.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{sent[0].Message!.Id}"), m => m.Item.Attempts >= 2);
            Assert.Equal(OutboxState.Queued, waiting.Item.State);
            Assert.Contains("SMTP server 127.0.0.1", waiting.Item.LastError);
        }
        finally
        {
            await fixture.Smtp.StartAgainAsync();
        }

        foreach (var reply in sent)
        {
            Assert.Equal(OutboxState.Sent, (await StateAsync(reply.Message!.Id, OutboxState.Sent)).State);
        }

        await Task.Delay(500, Ct);
        var arrived = fixture.Smtp.Received.Where(m => m.Subject?.Contains(c.Number, StringComparison.Ordinal) == true).Select(m => m.MessageId).ToList();
        Assert.Equal(sent.Select(r => Bare(r.Message!.Id)).Order(), arrived.Order());
    }

    private static string Bare(Guid id) => $"{id:N}@shop.test";

    private async Task<OutboxItem> StateAsync(Guid id, OutboxState state) =>
        (await Eventually.UntilAsync(() => App.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{id}"), m => m.Item.State == state)).Item;
}

/// <summary>Two instances on one PostgreSQL database deliver one outbox to one SMTP server: no message twice.</summary>
public sealed class SmtpScaleOutTests
{
    [Fact]
    public async Task Two_instances_deliver_a_batch_with_no_message_sent_twice()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var database = await TestDatabase.PostgresAsync();
        var settings = SmtpApp.SettingsFor(smtp);
        settings["Amends:Outbox:BatchSize"] = "25";
        await using var first = new TestApp("Postgres", sharedDatabase: database, settings: settings);
        await using var second = new SecondInstance(database, settings);
        await Task.WhenAll(first.InitializeAsync().AsTask(), second.InitializeAsync().AsTask());
        var c = await first.Agent.CaseAsync(ownerId: first.AgentUser.Id);

        // 300 messages queued at once, as a burst of changes would leave them; both workers find them at their next poll.
        var ids = new List<Guid>();
        await using (var scope = first.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            var now = TimeProvider.System.GetUtcNow();
            for (var i = 0; i < 300; i++)
            {
                var m = OutboundMessage.Queue(MessageKind.Update, Channel.Email, Routes.Smtp, $"c{i}@example.com", null, $"Burst {i} {c.Number}", "Text", null,
                    "shop.test", now, new CaseId(c.Id), new CustomerId(c.Customer.Id), automatic: true, notBefore: now.AddSeconds(1));
                db.Outbox.Add(m);
                ids.Add(m.Id);
            }

            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var arrived = await smtp.WaitForAsync(300, TimeSpan.FromSeconds(60), m => m.Subject?.StartsWith("Burst ", StringComparison.Ordinal) == true);
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        arrived = [.. smtp.Received.Where(m => m.Subject?.StartsWith("Burst ", StringComparison.Ordinal) == true)];

        Assert.Equal(300, arrived.Count);
        Assert.Equal(300, arrived.Select(m => m.MessageId).Distinct().Count());
        Assert.All(arrived, m => Assert.Equal("auto-generated", m.Headers[HeaderId.AutoSubmitted]));
        await using var check = first.Scope();
        var states = await check.ServiceProvider.GetRequiredService<AmendsDbContext>().Outbox
            .Where(m => ids.Contains(m.Id)).GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(OutboxState.Sent, Assert.Single(states).Key);
    }

    private sealed class SecondInstance(TestDatabase database, Dictionary<string, string?> settings) : TestApp("Postgres", sharedDatabase: database, settings: settings);
}
