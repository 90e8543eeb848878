using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>Reads a case the way the API and the workspace show it.</summary>
public sealed class CaseReader(AmendsDbContext db, TimeProvider time, DirectoryNames names)
{
    /// <summary>The customer card's counts of other cases stop here.</summary>
    public const int CountCap = 100;

    /// <summary>The newest entries shown with a case; older ones come page by page from the timeline endpoint.</summary>
    public const int TimelineWindow = 200;

    public async Task<Result<CaseDetail>> GetAsync(Guid id, CancellationToken ct)
    {
        // The case with its customer and the customer's capped counts (index ranges of at most CountCap rows) in one
        // read, then the newest page of the timeline with its length: two reads, whatever the customer's or the case's
        // history.
        var caseId = new CaseId(id);
        var since = time.GetUtcNow().UtcDateTime.AddDays(-90);
        var open = true;
        var card = await (from x in db.Cases.AsNoTracking()
                          join cu in db.Customers.AsNoTracking() on x.CustomerId equals cu.Id
                          where x.Id == caseId
                          select new
                          {
                              Case = x,
                              Customer = cu,
                              OtherOpen = db.Cases.Where(o => o.CustomerId == x.CustomerId && o.IsOpen == open && o.Id != caseId).Take(CountCap).Count(),
                              Recent = db.Cases.Where(o => o.CustomerId == x.CustomerId && o.CreatedAt >= since).Take(CountCap).Count(),
                          }).SingleOrDefaultAsync(ct);
        if (card is null)
        {
            return DomainError.NotFound("case.not_found", $"There is no case {id}.");
        }

        var (c, customer) = (card.Case, card.Customer);
        var page = await db.TimelineEntries.AsNoTracking()
            .Where(e => e.CaseId == caseId)
            .OrderByDescending(e => e.Sequence).ThenByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Take(TimelineWindow)
            .Select(e => new { Entry = e, Total = db.TimelineEntries.Count(t => t.CaseId == caseId) })
            .ToListAsync(ct);
        var entries = page.Select(p => p.Entry).ToList();
        var timelineTotal = page.Count > 0 ? page[0].Total : 0;
        entries.Reverse();
        return Result<CaseDetail>.Ok(await ComposeAsync(c, customer, card.OtherOpen, card.Recent, entries, timelineTotal, ct));
    }

    /// <summary>
    /// The case as the API shows it, from what the caller has read (or just written: opening a case answers from the
    /// saved objects instead of reading them back). <paramref name="entries"/> are the newest, oldest first.
    /// </summary>
    public async Task<CaseDetail> ComposeAsync(RecoveryCase c, Amends.Domain.Customers.Customer customer, int otherOpen, int recent,
        IReadOnlyList<TimelineEntry> entries, int timelineTotal, CancellationToken ct)
    {
        var deliveries = await DeliveriesAsync(entries, ct);
        var directory = await names.GetAsync(db, ct, [c.OwnerId, c.CoverOwnerId], [c.TeamId]);
        var ownerName = directory.User(c.OwnerId);
        var teamName = directory.Team(c.TeamId);

        return new CaseDetail(
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
                Math.Min(otherOpen, CountCap),
                Math.Min(recent, CountCap),
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
            directory.User(c.CoverOwnerId),
            c.PlaybookId,
            c.PlaybookVersion,
            c.Checklist,
            AvailableActions(c),
            [.. entries.Select(e => ToItem(e, deliveries))],
            timelineTotal,
            c.DetectedRisk,
            c.DetectionVerdict);
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
    private async Task<(Dictionary<Guid, Messaging.MessageDelivery> Out, Dictionary<Guid, Messaging.Email.ReceivedEmail> In)> DeliveriesAsync(IReadOnlyList<TimelineEntry> entries, CancellationToken ct)
    {
        var outgoing = entries.Where(e => e.MessageId is not null && e.Kind is not (TimelineEntryKind.MessageIn or TimelineEntryKind.AutomaticReply))
            .Select(e => e.MessageId!.Value).Distinct().ToList();
        var incoming = entries.Where(e => e.MessageId is not null && e.Kind is TimelineEntryKind.MessageIn or TimelineEntryKind.AutomaticReply)
            .Select(e => e.MessageId!.Value).Distinct().ToList();
        return (await Messaging.Outbox.DeliveriesAsync(db, outgoing, ct), await Messaging.Email.Emails.ForTimelineAsync(db, incoming, ct));
    }

    private static TimelineItem ToItem(TimelineEntry e, (Dictionary<Guid, Messaging.MessageDelivery> Out, Dictionary<Guid, Messaging.Email.ReceivedEmail> In) messages) => new(
        e.Id, e.Kind, e.At, e.ActorId?.Value, e.ActorName, e.Body, e.FromStatus, e.ToStatus, e.OwnerId?.Value, e.OwnerName, e.Channel,
        e.MessageId, e.MessageId is { } m ? messages.Out.GetValueOrDefault(m) : null, e.MessageId is { } i ? messages.In.GetValueOrDefault(i) : null, e.SignalId);
}
