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

namespace Amends.Web.Tests.Messaging;

/// <summary>
/// The reply composer and the outbox on an app with no real channel configured: every message is delivered to the
/// built-in Mailbox, exactly as the demo shows it.
/// </summary>
public abstract class RepliesTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reply_goes_through_the_outbox_to_the_Mailbox_and_the_timeline_shows_it_delivered()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/replies", new { body = "We are so sorry. A new parcel leaves today." });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var sent = await response.ReadAsync<ReplyResult>();
        Assert.NotNull(sent.Message);
        Assert.Equal(Routes.Mailbox, sent.Message.Route);
        Assert.Equal(c.Customer.Email, sent.Message.To);
        Assert.Equal($"/api/outbox/{sent.Message.Id}", response.Headers.Location?.OriginalString);
        var entry = sent.Case.Timeline.Single(e => e.Kind == TimelineEntryKind.MessageOut);
        Assert.Equal(sent.Message.Id, entry.MessageId);
        Assert.Equal(Channel.Email, entry.Channel);
        Assert.Equal(CaseStatus.Acknowledged, sent.Case.Status);
        Assert.NotNull(sent.Case.AcknowledgedAt);

        var delivered = await DeliveredAsync(c.Id, sent.Message.Id);
        Assert.Equal(OutboxState.Delivered, delivered.Item.State);

        var mail = await app.Agent.GetJsonAsync<OutboxMessage>($"/api/mailbox/{sent.Message.Id}");
        Assert.Contains(c.Number, mail.Item.Subject);
        Assert.StartsWith("We are so sorry. A new parcel leaves today.", mail.TextBody);
        Assert.Contains(c.Number, mail.TextBody);
        Assert.Contains("<p>We are so sorry. A new parcel leaves today.</p>", mail.HtmlBody);
        Assert.Matches("^<[0-9a-f]{32}@[^>]+>$", mail.HeaderMessageId);
        var listed = await app.Agent.GetJsonAsync<Paged<OutboxItem>>("/api/mailbox?pageSize=200");
        Assert.Contains(listed.Items, i => i.Id == sent.Message.Id && i.CaseNumber == c.Number);
    }

    [Fact]
    public async Task The_second_reply_on_a_case_threads_after_the_first()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        var first = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "First" });
        var second = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Second" });

        var a = await app.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{first.Message!.Id}");
        var b = await app.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{second.Message!.Id}");
        Assert.Null(a.InReplyTo);
        Assert.Equal(a.HeaderMessageId, b.InReplyTo);
        Assert.Equal(a.HeaderMessageId, b.References);
        Assert.Equal("Re: " + a.Item.Subject, b.Item.Subject);
    }

    [Fact]
    public async Task Another_channel_than_the_customer_chose_needs_their_consent_which_goes_on_the_timeline()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        using var refused = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/replies", new { body = "Texting you", channel = "Sms" });
        var problem = await refused.AssertProblemAsync(HttpStatusCode.BadRequest, "reply.consent_required");
        Assert.NotEmpty(problem.FieldErrors("consent"));

        var sent = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies",
            new { body = "Texting you as agreed", channel = "Sms", consent = "Asked for texts in their e-mail of 3 May" });

        Assert.Equal(Channel.Sms, sent.Message!.Channel);
        Assert.Equal(c.Customer.Phone, sent.Message.To);
        var consent = Assert.Single(sent.Case.Timeline, e => e.Kind == TimelineEntryKind.Consent);
        Assert.Equal("The customer agreed to be contacted by Sms: Asked for texts in their e-mail of 3 May", consent.Body);
        Assert.Equal(app.AgentUser.DisplayName, consent.ActorName);

        // Agreed once: the next text on this case needs no new consent.
        var next = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "And another text", channel = "Sms" });
        Assert.Single(next.Case.Timeline, e => e.Kind == TimelineEntryKind.Consent);
    }

    [Fact]
    public async Task A_reply_by_phone_logs_the_call_and_sends_nothing()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        var logged = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies",
            new { body = "Called: she is happy with a refund", channel = "Phone", consent = "She rang us" });

        Assert.Null(logged.Message);
        var call = Assert.Single(logged.Case.Timeline, e => e.Kind == TimelineEntryKind.Call);
        Assert.Equal("Called: she is happy with a refund", call.Body);
        Assert.Equal(0, await OutboxCountAsync(c.Id));
    }

    [Fact]
    public async Task A_reply_with_a_placeholder_left_is_refused_and_nothing_is_queued()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/replies", new { body = "Your refund of [amount] is on its way" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "case.message_placeholder_left");
        Assert.Equal(0, await OutboxCountAsync(c.Id));
    }

    [Theory]
    [InlineData("Email")]
    [InlineData("Sms")]
    [InlineData("Chat")]
    [InlineData("Social")]
    [InlineData("Review")]
    [InlineData("Web")]
    [InlineData("Phone")]
    [InlineData("InPerson")]
    public async Task Internal_notes_never_go_out_on_any_channel(string channel)
    {
        var customer = await app.Agent.CustomerAsync();
        var c = await app.Agent.PostJsonAsync<CaseDetail>("/api/cases", new { customerId = customer.Id, category = "Other", summary = "Note test", channel, ownerId = app.AgentUser.Id });

        await app.Agent.ActAsync(c.Id, "notes", new { body = "Internal: the courier lied about the delivery" });
        await app.Agent.ActAsync(c.Id, "acknowledge");
        await app.Agent.ActAsync(c.Id, "notes", new { body = "Internal: second thoughts" });

        // Acknowledging tells the customer (where they can be written to); nothing of either note goes with it.
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var bodies = await db.Outbox.Where(m => m.CaseId == new CaseId(c.Id)).Select(m => m.TextBody + m.Subject + (m.HtmlBody ?? "")).ToListAsync(Ct);
        Assert.DoesNotContain(bodies, b => b.Contains("Internal", StringComparison.Ordinal));
        Assert.DoesNotContain(await db.Outbox.Where(m => m.CaseId == new CaseId(c.Id)).Select(m => m.Kind).ToListAsync(Ct), k => k == MessageKind.Reply);
    }

    [Fact]
    public async Task A_message_recorded_from_outside_is_never_shown_as_sent_through_Amends()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        var recorded = await app.Agent.ActAsync(c.Id, "messages", new { direction = "Out", body = "Told her on WhatsApp" });

        var entry = Assert.Single(recorded.Timeline, e => e.Kind == TimelineEntryKind.MessageOut);
        Assert.Null(entry.MessageId);
        Assert.Null(entry.Delivery);
        Assert.Equal(0, await OutboxCountAsync(c.Id));
    }

    [Fact]
    public async Task A_customer_with_no_address_on_the_channel_gets_a_field_error()
    {
        var customer = await app.Agent.PostJsonAsync<Amends.Web.Features.Customers.CustomerDto>("/api/customers", new { name = "Phone only", phone = "+44 7700 900111" });
        var c = await app.Agent.CaseAsync(customerId: customer.Id, ownerId: app.AgentUser.Id);

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/replies", new { body = "Hello" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "reply.no_address");
        Assert.Contains("no e-mail address", problem.FieldErrors("channel")[0]);
    }

    [Fact]
    public async Task Attachments_travel_with_the_reply_and_bad_ones_are_field_errors()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var pdf = Convert.ToBase64String("%PDF-1.4 label"u8.ToArray());

        using var bad = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/replies", new { body = "Label", attachments = new[] { new { fileName = "label.pdf", content = "not base64!" } } });
        var problem = await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "reply.attachment_content_invalid");
        Assert.NotEmpty(problem.FieldErrors("attachments[0].content"));

        var sent = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies",
            new { body = "Your return label is attached", attachments = new[] { new { fileName = "../../label.pdf", content = pdf, contentType = "application/pdf" } } });

        var mail = await app.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{sent.Message!.Id}");
        var attachment = Assert.Single(mail.Attachments);
        Assert.Equal("label.pdf", attachment.FileName);
        Assert.Equal(14, attachment.Size);
    }

    [Fact]
    public async Task Only_whoever_works_the_case_replies()
    {
        var c = await app.Supervisor.CaseAsync(ownerId: app.SupervisorUser.Id);

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/replies", new { body = "Not mine" });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "case.not_yours");
        Assert.Equal(0, await OutboxCountAsync(c.Id));
    }

    [Fact]
    public async Task The_outbox_lists_by_state_and_refuses_an_unknown_one()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var sent = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Listed" });
        await DeliveredAsync(c.Id, sent.Message!.Id);

        var delivered = await app.Supervisor.GetJsonAsync<Paged<OutboxItem>>($"/api/outbox?state=Delivered&caseId={c.Id}");
        var failed = await app.Supervisor.GetJsonAsync<Paged<OutboxItem>>($"/api/outbox?state=Failed,Cancelled&caseId={c.Id}");
        using var unknown = await app.Supervisor.GetAsync("/api/outbox?state=Lost", Ct);

        Assert.Equal(sent.Message.Id, Assert.Single(delivered.Items).Id);
        Assert.Empty(failed.Items);
        await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, "outbox.state_invalid");
    }

    [Fact]
    public async Task An_admin_cancels_a_waiting_message_and_sends_it_again()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var message = await app.QueueAsync(c, TimeSpan.FromHours(1));

        using var bySupervisor = await app.Supervisor.PostJsonAsync($"/api/outbox/{message}/cancel", null);
        await bySupervisor.AssertProblemAsync(HttpStatusCode.Forbidden);
        var cancelled = await app.Admin.PostJsonAsync<OutboxItem>($"/api/outbox/{message}/cancel", null);
        Assert.Equal(OutboxState.Cancelled, cancelled.State);
        using var stale = await app.Admin.PostJsonAsync($"/api/outbox/{message}/retry", null, ifMatch: $"\"{cancelled.Version - 1}\"");
        await stale.AssertProblemAsync(HttpStatusCode.Conflict, "concurrency.stale");

        var retried = await app.Admin.PostJsonAsync<OutboxItem>($"/api/outbox/{message}/retry", null);

        Assert.Equal(OutboxState.Queued, retried.State);
        Assert.Equal(OutboxState.Delivered, (await DeliveredAsync(c.Id, message)).Item.State);
        using var again = await app.Admin.PostJsonAsync($"/api/outbox/{message}/cancel", null);
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "outbox.not_cancellable");
    }

    [Fact]
    public async Task The_owner_holds_a_message_back_and_releases_it()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var message = await app.QueueAsync(c, TimeSpan.FromHours(1));

        var held = await app.Agent.PostJsonAsync<OutboxItem>($"/api/outbox/{message}/hold", null);
        Assert.Equal(OutboxState.Held, held.State);
        var other = await app.CreateUserAsync(app.Admin, Amends.Domain.Teams.Role.Agent, "other");
        using var otherClient = await app.ClientForUserAsync(app.Admin, other);
        using var notYours = await otherClient.PostJsonAsync($"/api/outbox/{message}/release", null);
        await notYours.AssertProblemAsync(HttpStatusCode.Forbidden, "case.not_yours");

        var released = await app.Agent.PostJsonAsync<OutboxItem>($"/api/outbox/{message}/release", null);

        Assert.Equal(OutboxState.Queued, released.State);
        Assert.Equal(OutboxState.Delivered, (await DeliveredAsync(c.Id, message)).Item.State);
    }

    private async Task<int> OutboxCountAsync(Guid caseId)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        return await db.Outbox.CountAsync(m => m.CaseId == new CaseId(caseId), Ct);
    }

    private async Task<OutboxMessage> DeliveredAsync(Guid caseId, Guid messageId)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var message = await app.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{messageId}");
            if (message.Item.State == OutboxState.Delivered || waited.Elapsed > TimeSpan.FromSeconds(20))
            {
                var c = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{caseId}");
                var entry = c.Timeline.FirstOrDefault(e => e.MessageId == messageId);
                if (entry is not null)
                {
                    Assert.Equal(message.Item.State, entry.Delivery?.State);
                }

                return message;
            }

            await Task.Delay(50, Ct);
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class RepliesTestsOnSqlite(SqliteApp app) : RepliesTests(app);

[Collection(PostgresCollection.Name)]
public sealed class RepliesTestsOnPostgres(PostgresApp app) : RepliesTests(app);
