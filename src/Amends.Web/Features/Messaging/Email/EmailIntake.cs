using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Amends.Web.Features.Messaging.Email;

/// <summary>What the intake did with one message; <see cref="Seen"/> when it was stored before (it changes nothing).</summary>
public sealed record IntakeResult(Guid EmailId, InboundEmailState State, Guid? CaseId, bool Seen = false);

/// <summary>
/// Takes one e-mail from the support mailbox. In order: seen before (by Message-ID) → nothing; our own → noted; a bounce
/// → the message it is about fails (or is delivered) and the customer's address is marked failing; spam → the Spam view;
/// then threaded by <c>In-Reply-To</c>/<c>References</c>, then by the case number in the subject (from the case's own
/// customer), then to the sender's open case; an automatic reply goes on the case it answers and never opens one;
/// anything else from a person opens a case, registering the sender when they are new.
/// </summary>
public sealed partial class EmailIntake(
    AmendsDbContext db,
    Inbound inbound,
    CaseMutation mutation,
    DeliveryReports reports,
    IOptionsMonitor<EmailOptions> options,
    TimeProvider time,
    ILogger<EmailIntake> logger)
{
    public async Task<IntakeResult> ProcessAsync(MimeMessage message, CancellationToken ct)
    {
        var id = HeaderId(message);
        if (await SeenAsync(id, ct) is { } seen)
        {
            return seen;
        }

        var email = Read(message, id);
        var attachments = Attachments(message, email);
        if (await db.Outbox.AnyAsync(m => m.HeaderMessageId == id, ct))
        {
            email.State = InboundEmailState.Ours;
            email.Reason = "A message Amends sent, seen in the mailbox.";
            return await StoreAsync(email, [], ct);
        }

        var verdict = MailClassifier.Classify(message);
        if (verdict.Bounce is { } bounce)
        {
            return await BounceAsync(email, bounce, ct);
        }

        if (verdict.Spam is { } spam)
        {
            email.State = InboundEmailState.Spam;
            email.Reason = spam;
            return await StoreAsync(email, attachments, ct);
        }

        return await TakeAsync(email, attachments, ThreadIds(message), verdict.AutomaticReason, ct);
    }

    /// <summary>Opens a case from a message in the Spam view (or drops it): it is taken as if it had never been marked.</summary>
    public async Task<Result<IntakeResult>> ReleaseFromSpamAsync(Guid emailId, bool open, Guid by, CancellationToken ct)
    {
        var row = await db.InboundEmails.AsNoTracking().SingleOrDefaultAsync(e => e.Id == emailId, ct);
        if (row is null)
        {
            return DomainError.NotFound("email.not_found", $"There is no e-mail {emailId}.");
        }

        if (row.State != InboundEmailState.Spam)
        {
            return DomainError.Conflict("email.not_spam", $"This message is no longer in the Spam view: it was {row.State.ToString().ToLowerInvariant()}.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (!open)
        {
            var dropped = await db.InboundEmails.Where(e => e.Id == emailId && e.Version == row.Version).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.State, InboundEmailState.Dropped).SetProperty(e => e.HandledBy, by).SetProperty(e => e.HandledAt, now)
                .SetProperty(e => e.Version, e => e.Version + 1), ct);
            return dropped == 1 ? Result<IntakeResult>.Ok(new IntakeResult(row.Id, InboundEmailState.Dropped, null)) : Infrastructure.ApiProblems.Stale("e-mail");
        }

        // Claim it first, so two agents cannot open two cases from one message.
        var claimed = await db.InboundEmails.Where(e => e.Id == emailId && e.Version == row.Version).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.HandledBy, by).SetProperty(e => e.HandledAt, now).SetProperty(e => e.Version, e => e.Version + 1), ct);
        if (claimed != 1)
        {
            return Infrastructure.ApiProblems.Stale("e-mail");
        }

        var tracked = await db.InboundEmails.SingleAsync(e => e.Id == emailId, ct);
        try
        {
            return Result<IntakeResult>.Ok(await TakeAsync(tracked, [], [], null, ct, existing: true));
        }
        catch (InvalidOperationException)
        {
            // The case it threads onto changed at that moment: it stays in the Spam view to try again.
            return Infrastructure.ApiProblems.Stale("e-mail");
        }
    }

    private async Task<IntakeResult> TakeAsync(
        InboundEmail email, List<InboundEmailAttachment> attachments, IReadOnlyList<string> threadIds, string? automatic, CancellationToken ct, bool existing = false, int attempt = 0)
    {
        var customer = await inbound.FindCustomerAsync(Channel.Email, email.FromAddress, ct);
        var (target, how, byHeader) = await ThreadAsync(threadIds, email.Subject, customer, ct);
        if (automatic is not null)
        {
            return await AutomaticAsync(email, attachments, target, automatic, existing, ct);
        }

        if (target is null && customer is not null)
        {
            target = await db.Cases.Where(c => c.CustomerId == customer.Id && c.IsOpen).OrderByDescending(c => c.UpdatedAt).FirstOrDefaultAsync(ct);
            how = target is null ? null : "the sender's open case";
        }

        customer?.ClearEmailFailing();
        Result<InboundResult> stored;
        if (target is not null && target.Status != CaseStatus.Closed)
        {
            email.Reason = $"Threaded by {how}.";
            stored = await inbound.AttachAsync(target, Channel.Email, email.NewText, email.Id, (c, _) => Keep(email, attachments, c.Id, InboundEmailState.Attached, existing), ct);
        }
        else
        {
            // A new request, or an answer to a closed case: that opens a case of its own, which says what it follows, for
            // the closed case's customer when the headers tied the answer to it from another address.
            if (customer is null && target is not null && byHeader)
            {
                customer = await db.Customers.SingleAsync(x => x.Id == target.CustomerId, ct);
            }

            var prefix = target is null ? "E-mail: " : $"Follow-up to {target.Reference}: ";
            email.Reason = target is null ? "A new request." : $"Answers {target.Reference}, which is closed: a new case.";
            var subject = string.IsNullOrWhiteSpace(email.Subject) ? email.NewText : email.Subject;
            stored = await inbound.OpenAsync(customer, Channel.Email, email.FromAddress, email.FromName, prefix, email.NewText, email.Id,
                (c, _) => Keep(email, attachments, c.Id, InboundEmailState.Opened, existing), ct, summary: subject);
        }

        if (stored.IsSuccess)
        {
            return new IntakeResult(email.Id, stored.Value.Action == "Opened" ? InboundEmailState.Opened : InboundEmailState.Attached, stored.Value.CaseId);
        }

        db.ChangeTracker.Clear();
        if (await SeenAsync(email.HeaderMessageId, ct) is { } seen && !existing)
        {
            return seen;
        }

        if (stored.Error!.Kind == ErrorKind.Conflict)
        {
            // The case changed under us (a person saved it at that moment): take the message again from the start.
            logger.LogInformation("Case changed while e-mail {MessageId} was added; trying again", email.HeaderMessageId);
            return existing || attempt >= 3
                ? throw new InvalidOperationException($"E-mail {email.HeaderMessageId} could not be added: its case kept changing.")
                : await TakeAsync(email, attachments, threadIds, automatic, ct, attempt: attempt + 1);
        }

        throw new InvalidOperationException($"E-mail {email.HeaderMessageId} could not be stored: {stored.Error.Message}");
    }

    private async Task<IntakeResult> AutomaticAsync(
        InboundEmail email, List<InboundEmailAttachment> attachments, RecoveryCase? target, string why, bool existing, CancellationToken ct)
    {
        email.State = InboundEmailState.AutomaticReply;
        email.Reason = $"An automatic reply ({why}): never answered.";
        if (target is null)
        {
            return await StoreAsync(email, attachments, ct);
        }

        var result = await mutation.ApplyAsync(target.Id.Value, null, CaseAccess.System, (c, at) =>
        {
            Keep(email, attachments, c.Id, InboundEmailState.AutomaticReply, existing);
            return c.RecordAutomaticReply(Channel.Email, email.NewText, at, email.Id);
        }, ct);
        if (!result.IsSuccess)
        {
            db.ChangeTracker.Clear();
            email.CaseId = null;
            return await SeenAsync(email.HeaderMessageId, ct) ?? await StoreAsync(email, attachments, ct);
        }

        return new IntakeResult(email.Id, InboundEmailState.AutomaticReply, target.Id.Value);
    }

    /// <summary>A bounce fails the message it is about (or confirms it delivered) and marks the customer's address as failing, with a word to the case's owner.</summary>
    private async Task<IntakeResult> BounceAsync(InboundEmail email, BounceReport bounce, CancellationToken ct)
    {
        email.State = InboundEmailState.Bounce;
        email.Reason = (bounce.Failed ? "Not delivered: " : bounce.Delivered ? "Delivered: " : "A delivery report: ") + bounce.Reason;
        var ids = bounce.OriginalMessageIds;
        var original = ids.Count == 0 ? null : await db.Outbox.OrderBy(m => m.CreatedAt).FirstOrDefaultAsync(m => ids.Contains(m.HeaderMessageId), ct);
        if (original is null)
        {
            return await StoreAsync(email, [], ct);
        }

        email.CaseId = original.CaseId?.Value;
        var now = time.GetUtcNow();
        var changed = bounce.Failed ? original.Bounce(bounce.Reason, now) : bounce.Delivered && original.ConfirmDelivered(now);
        var customer = bounce.Failed && original.CustomerId is { } customerId ? await db.Customers.SingleOrDefaultAsync(c => c.Id == customerId, ct) : null;
        if (customer is not null && string.Equals(customer.Email, original.To, StringComparison.OrdinalIgnoreCase))
        {
            customer.MarkEmailFailing(bounce.Reason, now);
        }

        var result = await StoreAsync(email, [], ct);
        if (!result.Seen && changed)
        {
            await reports.NoteOnCaseAsync(original, bounce.Failed ? $"The e-mail to {original.To} bounced: {bounce.Reason}. {OtherChannel(customer)}" : null, ct);
        }

        return result;
    }

    private static string OtherChannel(Customer? customer)
    {
        var others = customer?.AllContactPoints().Where(p => p.Channel != Channel.Email).Select(p => $"{p.Channel} ({p.Address})").ToList() ?? [];
        return others.Count == 0
            ? "Reach the customer another way: ask for a working address or a phone number."
            : $"Reach the customer another way: {string.Join(", ", others)}.";
    }

    private async Task<(RecoveryCase? Case, string? How, bool ByHeader)> ThreadAsync(IReadOnlyList<string> ids, string subject, Customer? customer, CancellationToken ct)
    {
        if (ids.Count > 0)
        {
            var caseId = await db.Outbox.Where(m => ids.Contains(m.HeaderMessageId) && m.CaseId != null).OrderByDescending(m => m.CreatedAt).Select(m => m.CaseId).FirstOrDefaultAsync(ct)
                ?? await db.InboundEmails.Where(e => ids.Contains(e.HeaderMessageId) && e.CaseId != null).OrderByDescending(e => e.ReceivedAt)
                    .Select(e => e.CaseId == null ? (CaseId?)null : new CaseId(e.CaseId.Value)).FirstOrDefaultAsync(ct);
            if (caseId is { } found && await db.Cases.SingleOrDefaultAsync(c => c.Id == found, ct) is { } byHeader)
            {
                return (byHeader, "its In-Reply-To/References headers", true);
            }
        }

        // The number in the subject counts only from the case's own customer: anyone can type a number.
        if (customer is not null)
        {
            foreach (Match match in SubjectNumber().Matches(subject))
            {
                if (CaseNumber.Parse(match.Value) is { } number && await db.Cases.SingleOrDefaultAsync(c => c.Number == number && c.CustomerId == customer.Id, ct) is { } bySubject)
                {
                    return (bySubject, $"the case number {bySubject.Reference} in its subject", false);
                }
            }
        }

        return (null, null, false);
    }

    private void Keep(InboundEmail email, List<InboundEmailAttachment> attachments, CaseId caseId, InboundEmailState state, bool existing)
    {
        email.CaseId = caseId.Value;
        email.State = state;
        if (!existing)
        {
            db.InboundEmails.Add(email);
            db.InboundEmailAttachments.AddRange(attachments);
        }
    }

    private async Task<IntakeResult> StoreAsync(InboundEmail email, List<InboundEmailAttachment> attachments, CancellationToken ct)
    {
        if (db.Entry(email).State == EntityState.Detached)
        {
            db.InboundEmails.Add(email);
            db.InboundEmailAttachments.AddRange(attachments);
        }

        try
        {
            await db.SaveChangesAsync(ct);
            return new IntakeResult(email.Id, email.State, email.CaseId);
        }
        catch (DbUpdateException) when (!ct.IsCancellationRequested)
        {
            db.ChangeTracker.Clear();
            return await SeenAsync(email.HeaderMessageId, ct) ?? throw new InvalidOperationException($"E-mail {email.HeaderMessageId} could not be stored.");
        }
    }

    private async Task<IntakeResult?> SeenAsync(string id, CancellationToken ct) =>
        await db.InboundEmails.AsNoTracking().Where(e => e.HeaderMessageId == id)
            .Select(e => new IntakeResult(e.Id, e.State, e.CaseId, true)).SingleOrDefaultAsync(ct);

    private InboundEmail Read(MimeMessage message, string id)
    {
        var sender = message.From.Mailboxes.FirstOrDefault() ?? message.Sender ?? new MailboxAddress("", "unknown@invalid");
        var html = message.HtmlBody;
        var text = MailText.Normalize(message.TextBody is { Length: > 0 } plain ? plain : MailText.FromHtml(html));
        if (text.Length > InboundEmail.MaxTextLength)
        {
            text = text[..InboundEmail.MaxTextLength];
        }

        var folded = MailText.Fold(text);
        var newText = folded.NewText.Length == 0 ? "(no text)" : folded.NewText;
        var now = time.GetUtcNow();
        return new InboundEmail
        {
            Id = Guid.CreateVersion7(now),
            HeaderMessageId = id,
            FromAddress = (Customer.NormalizeEmail(sender.Address) ?? sender.Address ?? "").Trim() is { Length: > 0 and <= 320 } address ? address : "unknown@invalid",
            FromName = string.IsNullOrWhiteSpace(sender.Name) ? null : MailText.Shorten(sender.Name.Trim(), 200),
            Subject = MailText.Shorten((message.Subject ?? "").Trim(), OutboundMessage.MaxSubjectLength),
            SentAt = message.Date == DateTimeOffset.MinValue ? null : message.Date.UtcDateTime,
            ReceivedAt = now.UtcDateTime,
            NewText = MailText.Shorten(newText, RecoveryCase.MaxTextLength),
            Text = text,
            Html = html is null ? null : MailText.SanitizeHtml(html),
        };
    }

    /// <summary>The attachments kept (up to <c>Amends:Email:Imap:MaxAttachmentBytes</c> in all); the rest are named in <see cref="InboundEmail.AttachmentsOmitted"/>.</summary>
    private List<InboundEmailAttachment> Attachments(MimeMessage message, InboundEmail email)
    {
        var limit = options.CurrentValue.Imap.MaxAttachmentBytes;
        var kept = new List<InboundEmailAttachment>();
        var omitted = new List<string>();
        long total = 0;
        foreach (var part in message.Attachments.OfType<MimePart>())
        {
            using var content = new MemoryStream();
            part.Content?.DecodeTo(content);
            var name = MailText.Shorten(Path.GetFileName(part.FileName ?? "") is { Length: > 0 } file ? file : "attachment", 255);
            if (total + content.Length > limit)
            {
                omitted.Add($"{name} ({content.Length / 1024:N0} KB)");
                continue;
            }

            total += content.Length;
            kept.Add(new InboundEmailAttachment
            {
                Id = Guid.CreateVersion7(),
                EmailId = email.Id,
                FileName = name,
                ContentType = MailText.Shorten(part.ContentType.MimeType, 127),
                Size = content.Length,
                Content = content.ToArray(),
            });
        }

        if (omitted.Count > 0)
        {
            email.AttachmentsOmitted = MailText.Shorten($"Not kept, over the {limit / (1024 * 1024):N0} MB limit: {string.Join(", ", omitted)}.", 1000);
        }

        return kept;
    }

    /// <summary>The Message-ID in angle brackets; a message without one is known by a digest of its headers and text.</summary>
    public static string HeaderId(MimeMessage message)
    {
        if (!string.IsNullOrWhiteSpace(message.MessageId))
        {
            var id = $"<{message.MessageId.Trim()}>";
            if (id.Length <= 300)
            {
                return id;
            }
        }

        var basis = $"{message.From}\n{message.Date:O}\n{message.Subject}\n{message.TextBody ?? message.HtmlBody}";
        return $"<{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(basis)))}@no-message-id.amends>";
    }

    private static List<string> ThreadIds(MimeMessage message)
    {
        var ids = new List<string>();
        if (!string.IsNullOrWhiteSpace(message.InReplyTo))
        {
            ids.Add($"<{message.InReplyTo.Trim()}>");
        }

        ids.AddRange(message.References.Reverse().Select(r => $"<{r.Trim()}>"));
        return [.. ids.Distinct().Take(50)];
    }

    [GeneratedRegex(@"(AM-|#)\d{1,9}\b", RegexOptions.IgnoreCase)]
    private static partial Regex SubjectNumber();
}
