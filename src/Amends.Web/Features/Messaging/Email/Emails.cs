using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Messaging.Email;

public sealed record EmailAttachmentInfo(Guid Id, string FileName, string ContentType, long Size, string Url);

/// <summary>What the timeline shows beside a customer's e-mail: where it came from, whether history was folded away, its attachments (staff only).</summary>
public sealed record ReceivedEmail(Guid Id, string From, string Subject, bool Folded, bool HasHtml, string? AttachmentsOmitted, IReadOnlyList<EmailAttachmentInfo> Attachments);

public sealed record EmailItem(
    Guid Id, InboundEmailState State, string From, string? FromName, string Subject, DateTime ReceivedAt, DateTime? SentAt, string? Reason,
    Guid? CaseId, string? CaseNumber, string Snippet);

/// <summary>One e-mail in full: the new text, the original text and the sanitised HTML.</summary>
public sealed record EmailDetail(
    Guid Id, InboundEmailState State, string HeaderMessageId, string From, string? FromName, string Subject, DateTime ReceivedAt, DateTime? SentAt,
    string? Reason, Guid? CaseId, string? CaseNumber, string NewText, string Text, bool HasHtml, string? AttachmentsOmitted,
    IReadOnlyList<EmailAttachmentInfo> Attachments, long Version);

public sealed record EmailOriginal(string From, string Subject, DateTime ReceivedAt, string? CaseNumber, string Html);

public sealed record EmailAttachmentFile(string FileName, string ContentType, byte[] Content);

/// <summary>Reads e-mail from the support mailbox for staff: the Spam view, one message, its original HTML and its attachments.</summary>
public sealed class Emails(AmendsDbContext db)
{
    public async Task<Result<Paged<EmailItem>>> ListAsync(string? state, int page, int pageSize, CancellationToken ct)
    {
        if (page < 1 || pageSize is < 1 or > 200)
        {
            return DomainError.Invalid("paging.invalid", "pageSize", "page starts at 1; pageSize is from 1 to 200.");
        }

        var query = db.InboundEmails.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(state))
        {
            if (!Enum.TryParse<InboundEmailState>(state, ignoreCase: true, out var wanted) || !Enum.IsDefined(wanted))
            {
                return DomainError.Invalid("email.state_invalid", "state", $"state is one of {string.Join(", ", Enum.GetNames<InboundEmailState>())}.");
            }

            query = query.Where(e => e.State == wanted);
        }

        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(e => e.ReceivedAt).ThenByDescending(e => e.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(e => new { e.Id, e.State, e.FromAddress, e.FromName, e.Subject, e.ReceivedAt, e.SentAt, e.Reason, e.CaseId, e.NewText })
            .ToListAsync(ct);
        var numbers = await NumbersAsync(rows.Select(r => r.CaseId), ct);
        return Result<Paged<EmailItem>>.Ok(new Paged<EmailItem>(
            [.. rows.Select(r => new EmailItem(r.Id, r.State, r.FromAddress, r.FromName, r.Subject, r.ReceivedAt, r.SentAt, r.Reason, r.CaseId,
                r.CaseId is { } c ? numbers.GetValueOrDefault(c) : null, Snippet(r.NewText)))],
            total, page, pageSize));
    }

    public async Task<Result<EmailDetail>> GetAsync(Guid id, CancellationToken ct)
    {
        var e = await db.InboundEmails.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (e is null)
        {
            return DomainError.NotFound("email.not_found", $"There is no e-mail {id}.");
        }

        var numbers = await NumbersAsync([e.CaseId], ct);
        var attachments = await AttachmentsAsync([id], ct);
        return Result<EmailDetail>.Ok(new EmailDetail(e.Id, e.State, e.HeaderMessageId, e.FromAddress, e.FromName, e.Subject, e.ReceivedAt, e.SentAt,
            e.Reason, e.CaseId, e.CaseId is { } c ? numbers.GetValueOrDefault(c) : null, e.NewText, e.Text, e.Html is not null, e.AttachmentsOmitted,
            attachments.GetValueOrDefault(id) ?? [], e.Version));
    }

    /// <summary>What the original e-mail page shows: who sent it, when, its case, and the sanitised HTML (null when it had none).</summary>
    public async Task<EmailOriginal?> OriginalAsync(Guid id, CancellationToken ct)
    {
        var e = await db.InboundEmails.AsNoTracking().Where(x => x.Id == id && x.Html != null)
            .Select(x => new { x.FromAddress, x.FromName, x.Subject, x.ReceivedAt, x.CaseId, x.Html }).SingleOrDefaultAsync(ct);
        return e is null ? null : new EmailOriginal(e.FromName is { } n ? $"{n} <{e.FromAddress}>" : e.FromAddress, e.Subject, e.ReceivedAt,
            (await NumbersAsync([e.CaseId], ct)).Values.FirstOrDefault(), e.Html!);
    }

    public async Task<EmailAttachmentFile?> AttachmentAsync(Guid emailId, Guid attachmentId, CancellationToken ct) =>
        await db.InboundEmailAttachments.AsNoTracking().Where(a => a.Id == attachmentId && a.EmailId == emailId)
            .Select(a => new EmailAttachmentFile(a.FileName, a.ContentType, a.Content)).SingleOrDefaultAsync(ct);

    /// <summary>The e-mail behind each timeline entry that has one, for the timeline.</summary>
    public static async Task<Dictionary<Guid, ReceivedEmail>> ForTimelineAsync(AmendsDbContext db, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var rows = await db.InboundEmails.AsNoTracking().Where(e => ids.Contains(e.Id))
            .Select(e => new { e.Id, e.FromAddress, e.Subject, Folded = e.Text != e.NewText, HasHtml = e.Html != null, e.AttachmentsOmitted }).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var attachments = await AttachmentsAsync(db, [.. rows.Select(r => r.Id)], ct);
        return rows.ToDictionary(r => r.Id, r => new ReceivedEmail(r.Id, r.FromAddress, r.Subject, r.Folded, r.HasHtml, r.AttachmentsOmitted, attachments.GetValueOrDefault(r.Id) ?? []));
    }

    private Task<Dictionary<Guid, List<EmailAttachmentInfo>>> AttachmentsAsync(List<Guid> ids, CancellationToken ct) => AttachmentsAsync(db, ids, ct);

    private static async Task<Dictionary<Guid, List<EmailAttachmentInfo>>> AttachmentsAsync(AmendsDbContext db, List<Guid> ids, CancellationToken ct) =>
        (await db.InboundEmailAttachments.AsNoTracking().Where(a => ids.Contains(a.EmailId)).OrderBy(a => a.Id)
            .Select(a => new { a.EmailId, a.Id, a.FileName, a.ContentType, a.Size }).ToListAsync(ct))
        .GroupBy(a => a.EmailId)
        .ToDictionary(g => g.Key, g => g.Select(a => new EmailAttachmentInfo(a.Id, a.FileName, a.ContentType, a.Size, $"/api/emails/{a.EmailId}/attachments/{a.Id}")).ToList());

    private async Task<Dictionary<Guid, string>> NumbersAsync(IEnumerable<Guid?> caseIds, CancellationToken ct)
    {
        var ids = caseIds.Where(c => c is not null).Select(c => new CaseId(c!.Value)).Distinct().ToList();
        return ids.Count == 0 ? [] : (await db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Number }).ToListAsync(ct))
            .ToDictionary(c => c.Id.Value, c => CaseNumber.Format(c.Number));
    }

    private static string Snippet(string text)
    {
        var line = string.Join(' ', text.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= 160 ? line : line[..159] + "…";
    }
}
