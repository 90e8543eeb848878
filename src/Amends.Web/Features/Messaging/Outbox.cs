using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Messaging;

/// <summary>A message in the outbox as the Outbox page and <c>GET /api/outbox</c> list it.</summary>
public sealed record OutboxItem(
    Guid Id,
    Guid? CaseId,
    string? CaseNumber,
    MessageKind Kind,
    Channel Channel,
    string Route,
    string To,
    string? ToName,
    string Subject,
    OutboxState State,
    int Attempts,
    DateTime NextAttemptAt,
    string? LastError,
    bool Automatic,
    DateTime CreatedAt,
    DateTime? SentAt,
    DateTime? DeliveredAt,
    DateTime? EndedAt,
    string? CreatedByName,
    long Version);

public sealed record AttachmentInfo(Guid Id, string FileName, string ContentType, long Size);

/// <summary>One message in full: as the customer receives it, with its headers.</summary>
public sealed record OutboxMessage(
    OutboxItem Item,
    string TextBody,
    string? HtmlBody,
    string HeaderMessageId,
    string? InReplyTo,
    string? References,
    IReadOnlyList<AttachmentInfo> Attachments);

/// <summary>
/// Writes messages to the outbox and reads it. Composing happens inside the change that causes the message (a reply, an
/// update), so the message and the change commit together or not at all; the delivery worker sends it afterwards.
/// </summary>
public sealed partial class Outbox(AmendsDbContext db, ChannelRouter router, IOptionsMonitor<OrganisationOptions> organisation, StatusLinks statusLinks, TimeProvider time)
{
    /// <summary>
    /// A message to the case's customer on <paramref name="channel"/>, added to the unit of work (the caller saves): the
    /// case number in the subject, threaded after the case's earlier messages, signed by <paramref name="signer"/>.
    /// </summary>
    public async Task<Result<OutboundMessage>> AddForCaseAsync(
        RecoveryCase c, Customer customer, Channel channel, string body, MessageKind kind, string signer, Actor? by,
        DateTimeOffset now, Guid id, Guid? timelineEntryId, bool automatic, CancellationToken ct)
    {
        var destination = router.Route(customer, channel);
        if (!destination.IsSuccess)
        {
            return destination.Error!;
        }

        var message = await ComposeAsync(db, router, organisation.CurrentValue, statusLinks, c, customer, channel, destination.Value, body, kind, signer, by, now,
            id, timelineEntryId, automatic, null, ct);
        db.Outbox.Add(message);
        return Result<OutboundMessage>.Ok(message);
    }

    /// <summary>
    /// A message on a case as the customer receives it: the case number in the subject, threaded after the case's earlier
    /// messages, signed, and with the customer's own link to follow the case, reply or choose a remedy.
    /// </summary>
    public static async Task<OutboundMessage> ComposeAsync(
        AmendsDbContext db, ChannelRouter router, OrganisationOptions org, StatusLinks statusLinks, RecoveryCase c, Customer customer, Channel channel,
        Destination destination, string body, MessageKind kind, string signer, Actor? by, DateTimeOffset now, Guid id, Guid? timelineEntryId, bool automatic,
        DateTimeOffset? notBefore, CancellationToken ct)
    {
        var earlier = await db.Outbox.AsNoTracking().Where(m => m.CaseId == c.Id)
            .OrderByDescending(m => m.CreatedAt).Select(m => m.HeaderMessageId).Take(20).ToListAsync(ct);
        earlier.Reverse();
        var subject = (earlier.Count > 0 ? "Re: " : "") + $"Your case {c.Reference} with {org.Name}";
        var status = statusLinks.For(c.Id);
        var text = WithSignature(body, signer, org, c, status.Url)
            + (automatic ? "\nYou can stop automatic updates on that page." : "");
        return OutboundMessage.Queue(
            kind, channel, destination.Route, destination.Address, customer.Name, subject, text, Html(text, org.Color),
            router.MessageIdDomain, now, c.Id, customer.Id, by, automatic,
            inReplyTo: earlier.LastOrDefault(), references: earlier.Count > 0 ? string.Join(' ', earlier) : null,
            timelineEntryId: timelineEntryId, notBefore: notBefore, id: id, unsubscribeUrl: automatic ? status.Url + "/unsubscribe/one-click" : null);
    }

    /// <summary>The body with its signature, the case number and the status link.</summary>
    public static string WithSignature(string body, string signer, OrganisationOptions org, RecoveryCase c, string statusUrl) =>
        $"{body.Trim()}\n\n-- \n{signer}, {org.Name}\nYour case number: {c.Reference}\nFollow your case, reply or choose: {statusUrl}";

    public async Task<Result<Paged<OutboxItem>>> ListAsync(string? state, string? route, Guid? caseId, int page, int pageSize, CancellationToken ct)
    {
        if (page < 1 || pageSize is < 1 or > 200)
        {
            return DomainError.Invalid("paging.invalid", "pageSize", "page starts at 1; pageSize is from 1 to 200.");
        }

        var query = db.Outbox.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(state))
        {
            var states = new List<OutboxState>();
            foreach (var part in state.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<OutboxState>(part, ignoreCase: true, out var s) || int.TryParse(part, out _))
                {
                    return DomainError.Invalid("outbox.state_invalid", "state", $"'{part}' is not a state; use {string.Join(", ", Enum.GetNames<OutboxState>())}.");
                }

                states.Add(s);
            }

            query = query.Where(m => states.Contains(m.State));
        }

        if (!string.IsNullOrWhiteSpace(route))
        {
            var r = route.Trim().ToLowerInvariant();
            query = query.Where(m => m.Route == r);
        }

        if (caseId is { } cid)
        {
            var id = new CaseId(cid);
            query = query.Where(m => m.CaseId == id);
        }

        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var items = await ItemsAsync(rows, ct);
        return Result<Paged<OutboxItem>>.Ok(new Paged<OutboxItem>(items, total, page, pageSize));
    }

    public async Task<Result<OutboxMessage>> GetAsync(Guid id, string? route, CancellationToken ct)
    {
        var m = await db.Outbox.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && (route == null || x.Route == route), ct);
        if (m is null)
        {
            return DomainError.NotFound("outbox.not_found", $"There is no message {id}.");
        }

        var attachments = await db.OutboxAttachments.AsNoTracking().Where(a => a.MessageId == id)
            .Select(a => new AttachmentInfo(a.Id, a.FileName, a.ContentType, a.Size)).ToListAsync(ct);
        // A password reset link is its recipient's alone: whoever reads the outbox must not be able to use it.
        var secret = m.Kind == MessageKind.PasswordReset;
        return Result<OutboxMessage>.Ok(new OutboxMessage((await ItemsAsync([m], ct))[0], secret ? "(A password reset link: not shown.)" : m.TextBody,
            secret ? null : m.HtmlBody, m.HeaderMessageId, m.InReplyTo, m.References, attachments));
    }

    /// <summary>Retry, cancel, hold or release one message, checked against its version when the caller gives one.</summary>
    public async Task<Result<OutboxItem>> ChangeAsync(Guid id, long? expectedVersion, CaseAccess? access, Func<OutboundMessage, DateTimeOffset, DomainError?> change, CancellationToken ct)
    {
        var m = await db.Outbox.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (m is null)
        {
            return DomainError.NotFound("outbox.not_found", $"There is no message {id}.");
        }

        // Holding back a case's message is for whoever works the case (its owner, their cover, a supervisor).
        if (access is { } rule)
        {
            var c = m.CaseId is { } caseId ? await db.Cases.AsNoTracking().SingleOrDefaultAsync(x => x.Id == caseId, ct) : null;
            if (c is null ? !rule.Supervisor : rule.Check(c) is not null)
            {
                return c is null ? DomainError.Forbidden("outbox.not_yours", "Only a supervisor can hold this message.") : rule.Check(c)!;
            }
        }

        if (expectedVersion is { } v && v != m.Version)
        {
            return Infrastructure.ApiProblems.Stale("message");
        }

        if (change(m, time.GetUtcNow()) is { } error)
        {
            return error;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Infrastructure.ApiProblems.Stale("message");
        }

        return Result<OutboxItem>.Ok((await ItemsAsync([m], ct))[0]);
    }

    /// <summary>The delivery state of each message, for the timeline.</summary>
    public static async Task<Dictionary<Guid, MessageDelivery>> DeliveriesAsync(AmendsDbContext db, IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        ids.Count == 0
            ? []
            : await db.Outbox.AsNoTracking().Where(m => ids.Contains(m.Id))
                .Select(m => new MessageDelivery(m.Id, m.State, m.Route, m.To, m.Attempts, m.LastError, m.SentAt, m.DeliveredAt, m.NextAttemptAt,
                    m.Automatic, m.Automatic ? m.TextBody : null))
                .ToDictionaryAsync(d => d.MessageId, ct);

    private async Task<List<OutboxItem>> ItemsAsync(List<OutboundMessage> rows, CancellationToken ct)
    {
        var caseIds = rows.Where(r => r.CaseId is not null).Select(r => r.CaseId!.Value).Distinct().ToList();
        var numbers = await db.Cases.AsNoTracking().Where(c => caseIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Number, ct);
        return [.. rows.Select(m => new OutboxItem(
            m.Id, m.CaseId?.Value, m.CaseId is { } c && numbers.TryGetValue(c, out var n) ? CaseNumber.Format(n) : null,
            m.Kind, m.Channel, m.Route, m.To, m.ToName, m.Subject, m.State, m.Attempts, m.NextAttemptAt, m.LastError, m.Automatic,
            m.CreatedAt, m.SentAt, m.DeliveredAt, m.EndedAt, m.CreatedByName, m.Version))];
    }

    /// <summary>The HTML part: the text, encoded, in paragraphs, with its links clickable. No user text is ever unescaped.</summary>
    public static string Html(string text, string color) =>
        "<!DOCTYPE html><html><body style=\"font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2330\">"
        + Paragraphs(text, color) + "</body></html>";

    /// <summary>The text as HTML paragraphs: every character of it encoded, then its http(s) links made clickable.</summary>
    public static string Paragraphs(string text, string color)
    {
        var html = new StringBuilder();
        var brand = BrandColor().IsMatch(color) ? color : "#3f51b5";
        foreach (var paragraph in text.Replace("\r\n", "\n").Split("\n\n"))
        {
            var encoded = WebUtility.HtmlEncode(paragraph).Replace("\n", "<br>");
            encoded = Link().Replace(encoded, m => $"<a href=\"{m.Value}\" style=\"color:{brand}\">{m.Value}</a>");
            html.Append("<p>").Append(encoded).Append("</p>");
        }

        return html.ToString();
    }

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.CultureInvariant)]
    private static partial Regex Link();

    [GeneratedRegex("^#[0-9a-fA-F]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex BrandColor();
}

/// <summary>Where a message shown on the timeline is: queued, sent, delivered or failed (with why), and where to.</summary>
public sealed record MessageDelivery(
    Guid MessageId,
    OutboxState State,
    string Route,
    string To,
    int Attempts,
    string? Error,
    DateTime? SentAt,
    DateTime? DeliveredAt,
    DateTime NextAttemptAt,
    bool Automatic = false,
    string? Text = null);
