using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Messaging;

/// <summary>A file for a reply, its content in base64.</summary>
public sealed record AttachmentUpload(
    [property: Required, StringLength(255)] string? FileName,
    [property: Required] string? Content,
    [property: StringLength(127)] string? ContentType = null);

/// <summary>
/// A reply to the customer. <see cref="Channel"/> defaults to the case's channel of origin; another channel than that or
/// the customer's preferred one needs <see cref="Consent"/>: how the customer agreed to it, recorded on the timeline. A
/// reply on <c>Phone</c> logs the call with its notes.
/// </summary>
public sealed record ReplyRequest(
    [property: Required, StringLength(RecoveryCase.MaxTextLength)] string? Body,
    Channel? Channel = null,
    [property: StringLength(500)] string? Consent = null,
    [property: NoNullItems] IReadOnlyList<AttachmentUpload>? Attachments = null);

/// <summary>What a reply became: the message in the outbox (null for a logged call) and the case as it is now.</summary>
public sealed record ReplyResult(OutboxItem? Message, CaseDetail Case);

/// <summary>
/// The reply composer: the customer's message goes on the timeline and into the outbox in one transaction, through the
/// case's channel of origin unless the customer agreed to another. Internal notes never come this way.
/// </summary>
public sealed class Replies(AmendsDbContext db, CaseMutation mutation, Outbox outbox)
{
    public async Task<Result<ReplyResult>> SendAsync(Guid caseId, ReplyRequest request, Actor by, CaseAccess access, long? expectedVersion, CancellationToken ct)
    {
        var files = Decode(request.Attachments);
        if (!files.IsSuccess)
        {
            return files.Error!;
        }

        Guid? queued = null;
        var result = await mutation.ApplyAsync(caseId, expectedVersion, access, async (c, now) =>
        {
            var customer = await db.Customers.SingleAsync(x => x.Id == c.CustomerId, ct);
            var channel = request.Channel ?? c.Channel;
            if (customer.ErasedAt is not null)
            {
                return DomainError.Conflict("reply.customer_erased", "The customer's data was erased at their request: there is no one to write to.");
            }

            // Consent once per channel: after the customer agreed to texts, the next text needs no new one.
            if (channel != c.Channel && channel != customer.PreferredChannel
                && !await db.TimelineEntries.AnyAsync(e => e.CaseId == c.Id && e.Kind == TimelineEntryKind.Consent && e.Channel == channel, ct))
            {
                if (string.IsNullOrWhiteSpace(request.Consent))
                {
                    return DomainError.Invalid("reply.consent_required", "consent",
                        $"The customer came to us on {c.Channel}. Say how they agreed to be contacted by {channel} (for example: \"asked for a call back in their e-mail of 3 May\").");
                }

                if (c.RecordConsent($"The customer agreed to be contacted by {channel}", request.Consent, by, now, channel) is { } consentError)
                {
                    return consentError;
                }
            }

            // The first reply is the first response: a new case is acknowledged by it.
            if (c.Status == CaseStatus.New && c.Acknowledge(by, now) is { } acknowledgeError)
            {
                return acknowledgeError;
            }

            if (!Routes.CanWrite(channel))
            {
                return files.Value.Count > 0
                    ? DomainError.Invalid("reply.attachments_on_call", "attachments", "A call has no attachments: send them by e-mail.")
                    : c.LogCall(request.Body, by, now);
            }

            var id = Guid.CreateVersion7(now);
            if (c.RecordMessage(false, channel, request.Body, by, now, id) is { } error)
            {
                return error;
            }

            var signer = c.OwnerId is { } owner && owner != by.Id
                ? await db.Users.Where(u => u.Id == owner.Value).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) ?? by.Name
                : by.Name;
            var added = await outbox.AddForCaseAsync(c, customer, channel, request.Body!, MessageKind.Reply, FirstName(signer), by, now, id, c.Timeline[^1].Id, automatic: false, ct);
            if (!added.IsSuccess)
            {
                return added.Error;
            }

            foreach (var (name, type, content) in files.Value)
            {
                db.OutboxAttachments.Add(OutboundAttachment.Create(id, name, type, content));
            }

            queued = id;
            return null;
        }, ct);

        if (!result.IsSuccess)
        {
            return result.Error!;
        }

        OutboxItem? item = null;
        if (queued is { } messageId && (await outbox.GetAsync(messageId, null, ct)) is { IsSuccess: true } message)
        {
            item = message.Value.Item;
        }

        return Result<ReplyResult>.Ok(new ReplyResult(item, result.Value));
    }

    /// <summary>"Alex" from "Alex Morgan": how a person signs a message to a customer.</summary>
    public static string FirstName(string name) => name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? name;

    private static Result<List<(string Name, string Type, byte[] Content)>> Decode(IReadOnlyList<AttachmentUpload>? uploads)
    {
        var files = new List<(string, string, byte[])>();
        if (uploads is null)
        {
            return Result<List<(string, string, byte[])>>.Ok(files);
        }

        if (uploads.Count > OutboundAttachment.MaxPerMessage)
        {
            return DomainError.Invalid("reply.too_many_attachments", "attachments", $"Attach at most {OutboundAttachment.MaxPerMessage} files.");
        }

        long total = 0;
        for (var i = 0; i < uploads.Count; i++)
        {
            var upload = uploads[i];
            var name = Path.GetFileName((upload.FileName ?? "").Replace('\\', '/')).Trim();
            if (name.Length == 0 || name.Any(char.IsControl))
            {
                return DomainError.Invalid("reply.attachment_name_invalid", $"attachments[{i}].fileName", "Give the file a name.");
            }

            var buffer = new byte[((upload.Content?.Length ?? 0) * 3 / 4) + 3];
            if (upload.Content is null || !Convert.TryFromBase64String(upload.Content, buffer, out var length))
            {
                return DomainError.Invalid("reply.attachment_content_invalid", $"attachments[{i}].content", "The content must be the file in base64.");
            }

            total += length;
            if (total > OutboundAttachment.MaxBytesPerMessage)
            {
                return DomainError.Invalid("reply.attachments_too_large", "attachments", $"Attachments add up to at most {OutboundAttachment.MaxBytesPerMessage / 1024 / 1024} MB.");
            }

            var type = string.IsNullOrWhiteSpace(upload.ContentType) ? "application/octet-stream" : upload.ContentType.Trim();
            if (!MimeKit.ContentType.TryParse(type, out _))
            {
                return DomainError.Invalid("reply.attachment_type_invalid", $"attachments[{i}].contentType", "This is not a content type, as in application/pdf.");
            }

            files.Add((name, type, buffer[..length]));
        }

        return Result<List<(string, string, byte[])>>.Ok(files);
    }
}
