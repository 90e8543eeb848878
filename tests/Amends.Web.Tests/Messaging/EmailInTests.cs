using System.Net;
using System.Text;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Features.Messaging;
using Amends.Web.Features.Messaging.Email;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MimeKit.Utils;

namespace Amends.Web.Tests.Messaging;

/// <summary>
/// An app that talks e-mail for real: out through an SMTP server in the test process, in from Debian's Dovecot over
/// IMAP. On PostgreSQL a second instance reads the same mailbox, as a scaled-out installation does.
/// </summary>
public abstract class EmailApp(string provider, int instances) : IAsyncLifetime
{
    public const long AttachmentLimit = 64 * 1024;

    public TestSmtpServer Smtp { get; private set; } = null!;

    public TestImapServer Imap { get; private set; } = null!;

    public TestApp App { get; private set; } = null!;

    public List<TestApp> Others { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Smtp = await TestSmtpServer.StartAsync();
        Imap = await TestImapServer.StartAsync();
        App = new TestApp(provider, settings: Settings());
        await App.InitializeAsync();
        for (var i = 1; i < instances; i++)
        {
            var other = new TestApp(provider, sharedDatabase: App.Database, settings: Settings());
            await other.InitializeAsync();
            Others.Add(other);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var other in Others)
        {
            await other.DisposeAsync();
        }

        await App.DisposeAsync();
        await Imap.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = SmtpApp.SettingsFor(Smtp);
        settings["Amends:Email:Imap:Host"] = "127.0.0.1";
        settings["Amends:Email:Imap:Port"] = Imap.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Amends:Email:Imap:Security"] = "None";
        settings["Amends:Email:Imap:Username"] = Imap.Username;
        settings["Amends:Email:Imap:Password"] = Imap.Password;
        settings["Amends:Email:Imap:PollSeconds"] = "1";
        settings["Amends:Email:Imap:LongestRetrySeconds"] = "2";
        settings["Amends:Email:Imap:MaxAttachmentBytes"] = AttachmentLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }
}

public sealed class SqliteEmailApp() : EmailApp("Sqlite", 1);

public sealed class PostgresEmailApp() : EmailApp("Postgres", 2);

public sealed class EmailInTestsOnSqlite(SqliteEmailApp fixture) : EmailInTests(fixture), IClassFixture<SqliteEmailApp>;

public sealed class EmailInTestsOnPostgres(PostgresEmailApp fixture) : EmailInTests(fixture), IClassFixture<PostgresEmailApp>
{
    [Fact]
    public async Task Two_instances_reading_one_mailbox_take_each_message_once()
    {
        Assert.NotEmpty(Fixture.Others);
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 12; i++)
        {
            await Fixture.Imap.DeliverAsync(Mail($"many-{i}-{tag}@customer.test", $"Order {tag}-{i} never came", $"Where is order {tag}-{i}?"), Ct);
        }

        var emails = await Eventually.UntilAsync(() => EmailsFromAsync($"-{tag}@customer.test"), e => e.Count == 12, TimeSpan.FromSeconds(30));
        Assert.Equal(12, emails.Count);
        Assert.All(emails, e => Assert.Equal(InboundEmailState.Opened, e.State));

        // A while later, nothing has been taken twice by either instance.
        await Task.Delay(1500, Ct);
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var caseIds = (await EmailsFromAsync($"-{tag}@customer.test")).Select(e => new CaseId(e.CaseId!.Value)).ToList();
        Assert.Equal(12, caseIds.Distinct().Count());
        var messages = await db.TimelineEntries.CountAsync(e => caseIds.Contains(e.CaseId) && e.Kind == TimelineEntryKind.MessageIn, Ct);
        Assert.Equal(12, messages);
    }
}

public abstract class EmailInTests(EmailApp fixture)
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected EmailApp Fixture => fixture;

    protected TestApp App => fixture.App;

    [Fact]
    public async Task A_customer_answers_our_e_mail_and_the_answer_is_threaded_onto_the_case_with_its_history_folded()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        c = await App.Agent.ActAsync(c.Id, "acknowledge");
        c = await App.Agent.ActAsync(c.Id, "start");
        await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Could you send a photo of the damaged box?" });
        c = await App.Agent.ActAsync(c.Id, "wait", new { reason = "Photo asked for" });
        var ours = Assert.Single(await fixture.Smtp.WaitForAsync(1, which: m => m.To.Mailboxes.Any(a => a.Address == customer.Email) && (m.TextBody ?? "").Contains("photo", StringComparison.Ordinal)));

        // The customer's mail program answers it: headers, "Re:", the quoted original and a signature.
        var answer = Mail(customer.Email!, "Re: " + ours.Subject, $"""
            Here it is, the corner is crushed.

            --
            Sam, sent from the train

            On Tue, 1 Dec 2026 at 10:00, Care team <care@shop.test> wrote:
            > Could you send a photo of the damaged box?
            """, name: customer.Name);
        answer.InReplyTo = ours.MessageId;
        answer.References.Add(ours.MessageId!);
        await fixture.Imap.DeliverAsync(answer, Ct);

        var detail = await Eventually.UntilAsync(() => App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}"),
            d => d.Timeline.Any(e => e.Kind == TimelineEntryKind.MessageIn && e.Email is not null), TimeSpan.FromSeconds(30));
        var entry = detail.Timeline.Single(e => e.Kind == TimelineEntryKind.MessageIn && e.Email is not null);
        Assert.Equal("Here it is, the corner is crushed.", entry.Body);
        Assert.Equal(Channel.Email, entry.Channel);
        Assert.True(entry.Email!.Folded);
        // The wait on the customer ended (read again: seen failing once under full-suite load on PostgreSQL, cause not found yet).
        Assert.Equal(CaseStatus.Resolving, (await Eventually.UntilAsync(() => App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}"),
            d => d.Status == CaseStatus.Resolving, TimeSpan.FromSeconds(10))).Status);

        var email = await App.Agent.GetJsonAsync<EmailDetail>($"/api/emails/{entry.Email.Id}");
        Assert.Equal(InboundEmailState.Attached, email.State);
        Assert.Contains("In-Reply-To", email.Reason, StringComparison.Ordinal);
        Assert.Contains("> Could you send a photo of the damaged box?", email.Text, StringComparison.Ordinal);
        Assert.Contains("sent from the train", email.Text, StringComparison.Ordinal);

        // And the agent answers again on the same thread: the conversation stays one case, one thread.
        await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Thank you: a new one is on its way." });
        var second = Assert.Single(await fixture.Smtp.WaitForAsync(1, which: m => m.To.Mailboxes.Any(a => a.Address == customer.Email) && (m.TextBody ?? "").Contains("on its way", StringComparison.Ordinal)));
        Assert.Contains(ours.MessageId, second.References);
    }

    [Fact]
    public async Task Mail_from_an_unknown_sender_registers_them_and_opens_a_case()
    {
        var address = $"new-{Guid.NewGuid():N}@customer.test";
        await fixture.Imap.DeliverAsync(Mail(address, "Broken kettle", "My kettle stopped working after two days.", name: "Robin Quail"), Ct);

        var email = Assert.Single(await Eventually.UntilAsync(() => EmailsFromAsync(address), e => e.Count == 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(InboundEmailState.Opened, email.State);
        var c = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{email.CaseId}");
        Assert.Equal("Robin Quail", c.Customer.Name);
        Assert.Equal(address, c.Customer.Email);
        Assert.Equal(Channel.Email, c.Channel);
        Assert.Equal(CaseStatus.New, c.Status);
        Assert.Contains("Broken kettle", c.Summary, StringComparison.Ordinal);
        Assert.Equal("My kettle stopped working after two days.", c.Timeline.Single(e => e.Kind == TimelineEntryKind.MessageIn).Body);
    }

    [Fact]
    public async Task The_same_message_is_stored_once_however_often_it_is_read()
    {
        var address = $"twice-{Guid.NewGuid():N}@customer.test";
        var message = Mail(address, "Charged twice", "You took the money twice.");

        // Read at the same moment by four takers (two instances, an interrupted poll read again) ...
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = App.Scope();
            return await scope.ServiceProvider.GetRequiredService<EmailIntake>().ProcessAsync(message, Ct);
        }));
        Assert.Single(results.Select(r => r.EmailId).Distinct());
        Assert.Single(results, r => !r.Seen);

        // ... and delivered to the mailbox twice, and the whole folder read again from the start.
        await fixture.Imap.DeliverAsync(message, Ct);
        await fixture.Imap.DeliverAsync(message, Ct);
        await using (var scope = App.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            await db.MailboxCursors.ExecuteDeleteAsync(Ct);
        }

        var count = await fixture.Imap.CountAsync(Ct);
        await Eventually.UntilAsync(CursorAsync, last => last >= count, TimeSpan.FromSeconds(30));
        Assert.True(await CursorAsync() >= count);
        var stored = Assert.Single(await EmailsFromAsync(address));
        var c = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{stored.CaseId}");
        Assert.Single(c.Timeline, e => e.Kind == TimelineEntryKind.MessageIn);
    }

    [Fact]
    public async Task A_reply_without_headers_is_threaded_by_the_case_number_in_its_subject_but_only_from_the_case_s_customer()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        var byNumber = await TakeAsync(Mail(customer.Email!, $"About {c.Number} again", "Any news on this?"));
        Assert.Equal(InboundEmailState.Attached, byNumber.State);
        Assert.Equal(c.Id, byNumber.CaseId);

        // Anyone can type a number: from someone else it is their own request.
        var stranger = $"stranger-{Guid.NewGuid():N}@customer.test";
        var other = await TakeAsync(Mail(stranger, $"Re: {c.Number}", "I want to know about this case too."));
        Assert.Equal(InboundEmailState.Opened, other.State);
        Assert.NotEqual(c.Id, other.CaseId);
    }

    [Fact]
    public async Task A_forwarded_message_is_threaded_by_its_number_and_the_forwarded_part_is_folded()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        var forward = Mail(customer.Email!, $"Fwd: Your case {c.Number} with Test Shop", $"""
            See below: still nothing has arrived.

            ---------- Forwarded message ---------
            From: Care team <care@shop.test>
            Date: Mon, 30 Nov 2026 at 09:12
            Subject: Your case {c.Number} with Test Shop

            We are sorry: the courier comes on Monday.
            """);
        var result = await TakeAsync(forward);
        Assert.Equal(c.Id, result.CaseId);
        var detail = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        var entry = detail.Timeline.Last(e => e.Kind == TimelineEntryKind.MessageIn);
        Assert.Equal("See below: still nothing has arrived.", entry.Body);
        Assert.True(entry.Email!.Folded);

        // Outlook's way of quoting (a header block under a line) folds the same way.
        var outlook = await TakeAsync(Mail(customer.Email!, $"RE: Your case {c.Number} with Test Shop", """
            Monday is too late for me.

            ________________________________
            From: Care team <care@shop.test>
            Sent: Monday, November 30, 2026 9:12 AM
            Subject: Your case

            We are sorry.
            """));
        var email = await App.Agent.GetJsonAsync<EmailDetail>($"/api/emails/{outlook.EmailId}");
        Assert.Equal("Monday is too late for me.", email.NewText);
    }

    [Fact]
    public async Task Mail_from_a_known_customer_goes_to_their_open_case_and_an_answer_to_a_closed_case_opens_a_follow_up()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        var loose = await TakeAsync(Mail(customer.Email!, "Hello?", "Is anyone reading this?"));
        Assert.Equal(c.Id, loose.CaseId);

        var reply = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Glad it is sorted." });
        var ours = await App.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{reply.Message!.Id}");
        await App.Agent.ActAsync(c.Id, "close", new { outcome = "Withdrawn", reason = "Customer sorted it" });
        var late = await TakeAsync(Mail(customer.Email!, $"Re: Your case {c.Number} with Test Shop", "Actually it broke again."));
        Assert.Equal(InboundEmailState.Opened, late.State);
        Assert.NotEqual(c.Id, late.CaseId);
        var followUp = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{late.CaseId}");
        Assert.StartsWith($"Follow-up to {c.Number}", followUp.Summary, StringComparison.Ordinal);
        Assert.Equal(customer.Id, followUp.Customer.Id);

        // Their partner answers our message from another address: the headers tie it to the case, so to its customer.
        var partner = Mail($"partner-{Guid.NewGuid():N}@customer.test", "Re: " + ours.Item.Subject, "It broke again, writing for my wife.");
        partner.InReplyTo = ours.HeaderMessageId.Trim('<', '>');
        var fromPartner = await TakeAsync(partner);
        Assert.Equal(customer.Id, (await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{fromPartner.CaseId}")).Customer.Id);
    }

    [Fact]
    public async Task Spam_waits_in_the_Spam_view_until_an_agent_opens_a_case_from_it_or_drops_it()
    {
        var address = $"spam-{Guid.NewGuid():N}@customer.test";
        var flagged = await TakeAsync(Mail(address, "WIN A PRIZE", "Click here", with: m => m.Headers.Add("X-Spam-Flag", "YES")));
        var scored = await TakeAsync(Mail(address, "Cheap watches", "Best prices", with: m => m.Headers.Add("X-Spam-Status", "Yes, score=9.1 required=5.0")));
        Assert.Equal(InboundEmailState.Spam, flagged.State);
        Assert.Equal(InboundEmailState.Spam, scored.State);
        Assert.Null(flagged.CaseId);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Anonymous.GetAsync("/api/emails?state=Spam", Ct)).StatusCode);

        var view = await App.Agent.GetJsonAsync<Paged<EmailItem>>("/api/emails?state=Spam&pageSize=200");
        var item = view.Items.Single(e => e.Id == flagged.EmailId);
        Assert.Contains("X-Spam-Flag", item.Reason, StringComparison.Ordinal);
        Assert.Contains(view.Items, e => e.Id == scored.EmailId);

        // It was a real customer after all: a case opens from it, once.
        var opened = await (await App.Agent.PostJsonAsync($"/api/emails/{flagged.EmailId}/open-case", null)).ReadAsync<IntakeResult>();
        Assert.Equal(InboundEmailState.Opened, opened.State);
        var c = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{opened.CaseId}");
        Assert.Equal(address, c.Customer.Email);
        await (await App.Agent.PostJsonAsync($"/api/emails/{flagged.EmailId}/open-case", null)).AssertProblemAsync(HttpStatusCode.Conflict, "email.not_spam");

        var dropped = await (await App.Agent.PostJsonAsync($"/api/emails/{scored.EmailId}/drop", null)).ReadAsync<IntakeResult>();
        Assert.Equal(InboundEmailState.Dropped, dropped.State);
        var after = await App.Agent.GetJsonAsync<Paged<EmailItem>>("/api/emails?state=Spam&pageSize=200");
        Assert.DoesNotContain(after.Items, e => e.Id == scored.EmailId || e.Id == flagged.EmailId);
        await (await App.Agent.GetAsync("/api/emails?state=Nonsense", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Automatic_replies_show_on_their_case_but_are_never_answered_and_never_open_a_case()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        c = await App.Agent.ActAsync(c.Id, "acknowledge");
        c = await App.Agent.ActAsync(c.Id, "start");
        await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Which colour did you order?" });
        c = await App.Agent.ActAsync(c.Id, "wait", new { reason = "Colour asked for" });

        // The acknowledgement and the question have both gone before the customer's side answers automatically.
        var sent = await fixture.Smtp.WaitForAsync(2, which: m => m.To.Mailboxes.Any(a => a.Address == customer.Email));
        Assert.Equal(2, sent.Count);
        var ours = sent.Single(m => (m.TextBody ?? "").Contains("colour", StringComparison.Ordinal));
        var sentBefore = fixture.Smtp.Received.Count(m => m.To.Mailboxes.Any(a => a.Address == customer.Email));

        var outOfOffice = Mail(customer.Email!, "Automatic reply: " + ours.Subject, "I am away until Monday.", with: m => m.Headers.Add("Auto-Submitted", "auto-replied"));
        outOfOffice.InReplyTo = ours.MessageId;
        var taken = await TakeAsync(outOfOffice);
        Assert.Equal(InboundEmailState.AutomaticReply, taken.State);
        Assert.Equal(c.Id, taken.CaseId);

        var detail = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(CaseStatus.WaitingOnCustomer, detail.Status); // still waiting on a person's answer
        Assert.Equal("I am away until Monday.", detail.Timeline.Single(e => e.Kind == TimelineEntryKind.AutomaticReply).Body);

        // From nobody we know, list mail and bulk mail are kept and open nothing.
        var unknown = $"robot-{Guid.NewGuid():N}@customer.test";
        var bulk = await TakeAsync(Mail(unknown, "Our newsletter", "Ten tips", with: m => m.Headers.Add("Precedence", "bulk")));
        var list = await TakeAsync(Mail(unknown, "Digest", "News", with: m => m.Headers.Add("List-Id", "<news.customer.test>")));
        Assert.All(new[] { bulk, list }, r => Assert.Equal((InboundEmailState.AutomaticReply, (Guid?)null), (r.State, r.CaseId)));
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        Assert.False(await db.Customers.AnyAsync(x => x.Email == unknown, Ct));

        // Nothing went back to any of them.
        await Task.Delay(1000, Ct);
        Assert.Equal(sentBefore, fixture.Smtp.Received.Count(m => m.To.Mailboxes.Any(a => a.Address == customer.Email)));
        Assert.DoesNotContain(fixture.Smtp.Received, m => m.To.Mailboxes.Any(a => a.Address == unknown));
    }

    [Fact]
    public async Task A_bounce_fails_the_message_marks_the_address_failing_and_tells_the_owner_another_way_to_reach_them()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        var reply = await App.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Your refund is on its way." });
        var ours = Assert.Single(await fixture.Smtp.WaitForAsync(1, which: m => m.To.Mailboxes.Any(a => a.Address == customer.Email)));
        await Eventually.UntilAsync(() => App.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{reply.Message!.Id}"), m => m.Item.State == OutboxState.Sent);

        var taken = await TakeAsync(Bounce(ours, customer.Email!));
        Assert.Equal(InboundEmailState.Bounce, taken.State);
        Assert.Equal(c.Id, taken.CaseId);

        var message = await App.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{reply.Message!.Id}");
        Assert.Equal(OutboxState.Failed, message.Item.State);
        Assert.Contains("550 5.1.1", message.Item.LastError, StringComparison.Ordinal);

        var detail = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Contains("550 5.1.1", detail.Customer.EmailFailing, StringComparison.Ordinal);
        var failure = detail.Timeline.Last(e => e.Kind == TimelineEntryKind.DeliveryFailed);
        Assert.Contains("bounced", failure.Body, StringComparison.Ordinal);
        Assert.Contains(customer.Phone!, failure.Body, StringComparison.Ordinal); // the other way to reach them
        Assert.DoesNotContain(detail.Timeline, e => e.Kind == TimelineEntryKind.MessageIn); // a bounce is no message from the customer

        // When the customer writes from that address again, it works again.
        await TakeAsync(Mail(customer.Email!, $"Re: {c.Number}", "Sorry, my mailbox was full."));
        detail = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Null(detail.Customer.EmailFailing);
    }

    [Fact]
    public async Task Attachments_are_kept_within_the_limit_and_given_to_staff_only_as_downloads()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        var photo = Encoding.ASCII.GetBytes("\x89PNG photo of the crushed corner");
        var builder = new BodyBuilder { TextBody = $"Photos attached for {c.Number}." };
        builder.Attachments.Add("corner.png", photo, new ContentType("image", "png"));
        builder.Attachments.Add("video.mp4", new byte[EmailApp.AttachmentLimit + 1], new ContentType("video", "mp4"));
        var mail = Mail(customer.Email!, $"Re: {c.Number}", "");
        mail.Body = builder.ToMessageBody();

        var taken = await TakeAsync(mail);
        var email = await App.Agent.GetJsonAsync<EmailDetail>($"/api/emails/{taken.EmailId}");
        var kept = Assert.Single(email.Attachments);
        Assert.Equal("corner.png", kept.FileName);
        Assert.Contains("video.mp4", email.AttachmentsOmitted, StringComparison.Ordinal);

        var detail = await App.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(kept.Url, Assert.Single(detail.Timeline.Last(e => e.Kind == TimelineEntryKind.MessageIn).Email!.Attachments).Url);

        using var download = await App.Agent.GetAsync(kept.Url, Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(photo, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Anonymous.GetAsync(kept.Url, Ct)).StatusCode);
    }

    [Fact]
    public async Task Html_mail_is_read_as_text_and_its_original_is_sanitised_and_sandboxed()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        var mail = Mail(customer.Email!, $"Re: {c.Number}", "");
        mail.Body = new TextPart("html")
        {
            Text = """
                <html><head><style>body{color:red}</style><script>alert('head')</script></head><body>
                <p onclick="steal()">The <b>lid</b> is cracked.</p><p>See <a href="https://photos.example/lid">my photos</a>.</p>
                <img src="https://tracker.example/pixel.gif" alt="">
                <script>document.cookie</script>
                <div class="gmail_quote"><div>On Mon, 30 Nov 2026 at 09:12, Care team &lt;care@shop.test&gt; wrote:</div>
                <blockquote>We are sorry about the lid.</blockquote></div>
                </body></html>
                """,
        };

        var taken = await TakeAsync(mail);
        var email = await App.Agent.GetJsonAsync<EmailDetail>($"/api/emails/{taken.EmailId}");
        Assert.Equal("The lid is cracked.\n\nSee my photos <https://photos.example/lid>.", email.NewText);
        Assert.Contains("> We are sorry about the lid.", email.Text, StringComparison.Ordinal);
        Assert.True(email.HasHtml);

        using var original = await App.Agent.GetAsync($"/api/emails/{taken.EmailId}/original", Ct);
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Contains("sandbox", original.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await original.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<b>lid</b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tracker.example", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Anonymous.GetAsync($"/api/emails/{taken.EmailId}/original", Ct)).StatusCode);
    }

    [Fact]
    public async Task Erasing_a_customer_erases_what_they_wrote_to_the_mailbox()
    {
        var (c, customer) = await CaseWithCustomerAsync();
        var builder = new BodyBuilder { TextBody = "My address is 1 Secret Lane." };
        builder.Attachments.Add("id.png", [1, 2, 3], new ContentType("image", "png"));
        var mail = Mail(customer.Email!, $"Re: {c.Number}", "");
        mail.Body = builder.ToMessageBody();
        var taken = await TakeAsync(mail);

        var erased = await App.Admin.PostJsonAsync<ErasureResult>($"/api/customers/{customer.Id}/erase", new { confirm = customer.Id.ToString() });
        Assert.Equal(1, erased.ReceivedEmailsErased);
        var email = await App.Agent.GetJsonAsync<EmailDetail>($"/api/emails/{taken.EmailId}");
        Assert.DoesNotContain("Secret Lane", email.Text + email.NewText + email.Subject, StringComparison.Ordinal);
        Assert.Empty(email.Attachments);
        Assert.Equal("erased", email.From);
    }

    [Fact]
    public async Task Readiness_says_when_the_mailbox_cannot_be_read_and_reading_resumes_when_it_is_back()
    {
        Assert.Equal("Healthy", await Eventually.UntilAsync(MailboxCheckAsync, s => s == "Healthy", TimeSpan.FromSeconds(45)));
        await fixture.Imap.StopAsync();
        try
        {
            Assert.Equal("Degraded", await Eventually.UntilAsync(MailboxCheckAsync, s => s == "Degraded", TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await fixture.Imap.StartAgainAsync();
        }

        // Mail that arrives once it is back is read: the reader connected again by itself.
        var address = $"back-{Guid.NewGuid():N}@customer.test";
        await fixture.Imap.DeliverAsync(Mail(address, "Hello again", "Are you there?"), Ct);
        Assert.Single(await Eventually.UntilAsync(() => EmailsFromAsync(address), e => e.Count == 1, TimeSpan.FromSeconds(30)));

        // This instance may still be in its pause before connecting again (another instance may have taken the mail).
        Assert.Equal("Healthy", await Eventually.UntilAsync(MailboxCheckAsync, s => s == "Healthy", TimeSpan.FromSeconds(45)));
    }

    private async Task<string> MailboxCheckAsync()
    {
        using var json = System.Text.Json.JsonDocument.Parse(await App.Anonymous.GetStringAsync("/health/ready", Ct));
        return json.RootElement.GetProperty("checks").GetProperty("mailbox").GetProperty("status").GetString()!;
    }

    protected static MimeMessage Mail(string from, string subject, string text, string? name = null, Action<MimeMessage>? with = null)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(name ?? "", from));
        message.To.Add(new MailboxAddress("Care team", "care@shop.test"));
        message.Subject = subject;
        message.MessageId = MimeUtils.GenerateMessageId("customer.test");
        message.Date = TimeProvider.System.GetUtcNow();
        message.Body = new TextPart("plain") { Text = text };
        with?.Invoke(message);
        return message;
    }

    /// <summary>A delivery status notification (RFC 3464) as a receiving server sends one: the mailbox does not exist.</summary>
    private static MimeMessage Bounce(MimeMessage original, string recipient)
    {
        var report = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = $"Your message to {recipient} could not be delivered." },
        };
        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList { { "Reporting-MTA", "dns; mx.customer.test" } };
        var perRecipient = new HeaderList
        {
            { "Final-Recipient", $"rfc822; {recipient}" },
            { "Action", "failed" },
            { "Status", "5.1.1" },
            { "Diagnostic-Code", "smtp; 550 5.1.1 The email account that you tried to reach does not exist" },
        };
        status.StatusGroups.Add(perMessage);
        status.StatusGroups.Add(perRecipient);
        report.Add(status);
        report.Add(new MessagePart { Message = original });
        var bounce = new MimeMessage();
        bounce.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@mx.customer.test"));
        bounce.To.Add(new MailboxAddress("", "care@shop.test"));
        bounce.Subject = "Undelivered Mail Returned to Sender";
        bounce.MessageId = MimeUtils.GenerateMessageId("mx.customer.test");
        bounce.Headers.Add("Auto-Submitted", "auto-replied");
        bounce.Body = report;
        return bounce;
    }

    protected async Task<(CaseDetail Case, CustomerDto Customer)> CaseWithCustomerAsync()
    {
        var customer = await App.Agent.CustomerAsync();
        var c = await App.Agent.CaseAsync(customerId: customer.Id, ownerId: App.AgentUser.Id);
        return (c, customer);
    }

    protected async Task<IntakeResult> TakeAsync(MimeMessage message)
    {
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<EmailIntake>().ProcessAsync(message, Ct);
    }

    protected async Task<List<InboundEmail>> EmailsFromAsync(string addressEnd)
    {
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        return await db.InboundEmails.AsNoTracking().Where(e => e.FromAddress.EndsWith(addressEnd)).ToListAsync(Ct);
    }

    private async Task<long> CursorAsync()
    {
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        return await db.MailboxCursors.Select(x => (long?)x.LastUid).MaxAsync(Ct) ?? 0;
    }
}
