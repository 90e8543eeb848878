using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>Reads a case the way the API and the workspace show it.</summary>
public sealed class CaseReader(AmendsDbContext db, TimeProvider time)
{
    /// <summary>The newest entries shown with a case; older ones come page by page from the timeline endpoint.</summary>
    public const int TimelineWindow = 200;

    public async Task<Result<CaseDetail>> GetAsync(Guid id, CancellationToken ct)
    {
        var caseId = new CaseId(id);
        var c = await db.Cases.AsNoTracking().SingleOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return DomainError.NotFound("case.not_found", $"There is no case {id}.");
        }

        var customer = await db.Customers.AsNoTracking().SingleAsync(x => x.Id == c.CustomerId, ct);
        var since = time.GetUtcNow().UtcDateTime.AddDays(-90);
        var otherOpen = await db.Cases.CountAsync(x => x.CustomerId == c.CustomerId && x.Id != caseId && x.Status != CaseStatus.Closed, ct);
        var recent = await db.Cases.CountAsync(x => x.CustomerId == c.CustomerId && x.CreatedAt >= since, ct);
        var timelineTotal = await db.TimelineEntries.CountAsync(e => e.CaseId == caseId, ct);
        var entries = await db.TimelineEntries.AsNoTracking()
            .Where(e => e.CaseId == caseId)
            .OrderByDescending(e => e.Sequence).ThenByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Take(TimelineWindow)
            .ToListAsync(ct);
        entries.Reverse();
        var deliveries = await DeliveriesAsync(entries, ct);

        var ownerName = c.OwnerId is { } owner
            ? await db.Users.Where(u => u.Id == owner.Value).Select(u => u.DisplayName).SingleOrDefaultAsync(ct)
            : null;
        var teamName = c.TeamId is { } team
            ? await db.Teams.Where(t => t.Id == team).Select(t => t.Name).SingleOrDefaultAsync(ct)
            : null;

        return Result<CaseDetail>.Ok(new CaseDetail(
            c.Id.Value,
            c.Reference,
            new CaseCustomer(
                customer.Id.Value,
                customer.Name,
                customer.Email,
                customer.Phone,
                customer.PreferredChannel,
                customer.Tier,
                MoneyDto.From(customer.LifetimeValue),
                otherOpen,
                recent,
                customer.EmailFailingSince is null ? null : customer.EmailFailure ?? "Mail to this address bounces."),
            c.Category,
            c.Severity,
            c.Priority,
            c.Channel,
            c.Summary,
            c.Status,
            c.Outcome,
            c.OwnerId?.Value,
            ownerName,
            c.TeamId?.Value,
            teamName,
            c.RepeatFailure,
            c.Resolution,
            c.ApologyOnly,
            c.FollowUpScore,
            c.FollowUpComment,
            c.FollowUpRecordedBy?.Value,
            c.ReopenCount,
            c.CreatedAt,
            c.UpdatedAt,
            c.AcknowledgedAt,
            c.ResolvedAt,
            c.ClosedAt,
            c.Version,
            c.Sla.AcknowledgeBy,
            c.Sla.NextUpdateBy,
            c.Sla.ResolveBy,
            CaseSla.From(c.Sla),
            c.Escalation,
            c.EscalationReason,
            c.EscalatedAt,
            c.EscalationSupervisorId?.Value,
            c.FollowUpsSent,
            c.CoverOwnerId?.Value,
            c.CoverOwnerId is { } cover ? await db.Users.Where(u => u.Id == cover.Value).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null,
            c.PlaybookId,
            c.PlaybookVersion,
            c.Checklist,
            AvailableActions(c),
            [.. entries.Select(e => ToItem(e, deliveries))],
            timelineTotal));
    }

    public async Task<Result<CaseDetail>> GetByNumberAsync(string? number, CancellationToken ct)
    {
        if (CaseNumber.Parse(number) is not { } n)
        {
            return DomainError.Invalid("case.number_invalid", "number", $"A case number looks like {CaseNumber.Format(CaseNumber.First)}.");
        }

        var id = await db.Cases.Where(c => c.Number == n).Select(c => (Guid?)c.Id.Value).SingleOrDefaultAsync(ct);
        return id is { } found ? await GetAsync(found, ct) : DomainError.NotFound("case.not_found", $"There is no case {CaseNumber.Format(n)}.");
    }

    public async Task<Result<Paged<TimelineItem>>> TimelineAsync(Guid id, int page, int pageSize, CancellationToken ct)
    {
        var caseId = new CaseId(id);
        if (!await db.Cases.AnyAsync(c => c.Id == caseId, ct))
        {
            return DomainError.NotFound("case.not_found", $"There is no case {id}.");
        }

        var query = db.TimelineEntries.AsNoTracking().Where(e => e.CaseId == caseId);
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(e => e.Sequence).ThenBy(e => e.At).ThenBy(e => e.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var deliveries = await DeliveriesAsync(items, ct);
        return Result<Paged<TimelineItem>>.Ok(new Paged<TimelineItem>([.. items.Select(e => ToItem(e, deliveries))], total, page, pageSize));
    }

    /// <summary>The lifecycle actions (POST /api/cases/{id}/…) the case's status allows.</summary>
    public static IReadOnlyList<string> AvailableActions(RecoveryCase c) => c.Status switch
    {
        CaseStatus.New => ["acknowledge", "close"],
        CaseStatus.Acknowledged => ["start", "close"],
        CaseStatus.Resolving => ["wait", "resolve", "close"],
        CaseStatus.WaitingOnCustomer => ["resume", "close"],
        CaseStatus.Resolved => ["close", "reopen"],
        _ => c.Outcome == CaseOutcome.Duplicate ? [] : ["reopen"],
    };

    /// <summary>What each message on the page carries: its delivery (messages to the customer) or its e-mail (messages from them).</summary>
    private async Task<(Dictionary<Guid, Messaging.MessageDelivery> Out, Dictionary<Guid, Messaging.Email.ReceivedEmail> In)> DeliveriesAsync(List<TimelineEntry> entries, CancellationToken ct)
    {
        var outgoing = entries.Where(e => e.MessageId is not null && e.Kind is not (TimelineEntryKind.MessageIn or TimelineEntryKind.AutomaticReply))
            .Select(e => e.MessageId!.Value).Distinct().ToList();
        var incoming = entries.Where(e => e.MessageId is not null && e.Kind is TimelineEntryKind.MessageIn or TimelineEntryKind.AutomaticReply)
            .Select(e => e.MessageId!.Value).Distinct().ToList();
        return (await Messaging.Outbox.DeliveriesAsync(db, outgoing, ct), await Messaging.Email.Emails.ForTimelineAsync(db, incoming, ct));
    }

    private static TimelineItem ToItem(TimelineEntry e, (Dictionary<Guid, Messaging.MessageDelivery> Out, Dictionary<Guid, Messaging.Email.ReceivedEmail> In) messages) => new(
        e.Id, e.Kind, e.At, e.ActorId?.Value, e.ActorName, e.Body, e.FromStatus, e.ToStatus, e.OwnerId?.Value, e.OwnerName, e.Channel,
        e.MessageId, e.MessageId is { } m ? messages.Out.GetValueOrDefault(m) : null, e.MessageId is { } i ? messages.In.GetValueOrDefault(i) : null);
}
