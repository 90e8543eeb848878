using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Features.Sla;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Jobs;

/// <summary>Loads the cases a batch of due work is about, with their schedule rows primed in one query.</summary>
internal static class CaseWork
{
    public static async Task<(SlaClocks Clocks, List<RecoveryCase> Cases)> LoadAsync(IServiceProvider services, IReadOnlyList<DueWork> items, CancellationToken ct)
    {
        var db = services.GetRequiredService<AmendsDbContext>();
        var clocks = services.GetRequiredService<SlaClocks>();
        var ids = items.Select(i => new CaseId(i.CaseId)).ToList();
        var cases = await db.Cases.Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        await clocks.PrimeAsync(ids, ct);
        return (clocks, cases);
    }
}

/// <summary>
/// Reports SLA warnings and breaches on the timeline; a breach escalates the case to the team supervisor. This is the
/// sweep that meets thousands of due clocks at once (a team's shift start, an outage), so it loads the cases untracked
/// and writes them back with <see cref="RowWriter"/>: the domain decides, only the writing is bulk.
/// </summary>
internal sealed class SlaCheckHandler : IDueWorkHandler
{
    public string Kind => DueWorkKinds.SlaCheck;

    public async Task<IReadOnlyList<RecoveryCase>> HandleAsync(IServiceProvider services, IReadOnlyList<DueWork> items, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<AmendsDbContext>();
        var clocks = services.GetRequiredService<SlaClocks>();
        var ids = items.Select(i => new CaseId(i.CaseId)).ToList();
        var cases = await db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        await using var writer = new RowWriter(db);
        var changed = new List<RecoveryCase>();
        foreach (var c in cases)
        {
            var loaded = writer.Loaded(c);
            var events = c.CheckSla(await clocks.CalendarForAsync(c.TeamId, ct), now);
            var breaches = events.Where(e => e.Breach).Select(e => e.Clock switch
            {
                Amends.Domain.Sla.SlaClockKind.Acknowledge => "no first response in time",
                Amends.Domain.Sla.SlaClockKind.Update => "the customer's update is overdue",
                _ => "not resolved in time",
            }).ToList();
            if (breaches.Count > 0)
            {
                c.Escalate(EscalationReason.SlaBreach, string.Join("; ", breaches), null, now);
                var metrics = services.GetRequiredService<Infrastructure.AmendsMetrics>();
                foreach (var breach in events.Where(e => e.Breach))
                {
                    metrics.SlaBreached(breach.Clock.ToString());
                }
            }

            writer.UpdateCase(c, loaded);
            writer.InsertTimeline(c);

            // Only the SLA check is this handler's to reschedule: clocks and escalation never move the follow-up.
            writer.SetDue(DueWorkKinds.SlaCheck, c.Id.Value, Guid.Empty, c.Sla.NextCheckAt);
            if (events.Count > 0)
            {
                changed.Add(c);
            }
        }

        await writer.FlushAsync(ct);
        return changed;
    }
}

/// <summary>
/// The satisfaction check after resolution: the first ask, then reminders, then, with no answer, closing the case as
/// Unconfirmed. A case that is no longer waiting for an answer needs nothing.
/// </summary>
internal sealed class FollowUpHandler : IDueWorkHandler
{
    public string Kind => DueWorkKinds.FollowUp;

    public async Task<IReadOnlyList<RecoveryCase>> HandleAsync(IServiceProvider services, IReadOnlyList<DueWork> items, DateTimeOffset now, CancellationToken ct)
    {
        var (clocks, cases) = await CaseWork.LoadAsync(services, items, ct);
        var changed = new List<RecoveryCase>();
        foreach (var c in cases.Where(c => c.Status == CaseStatus.Resolved && c.FollowUpScore is null))
        {
            if (c.FollowUpsSent <= await clocks.FollowUpRemindersForAsync(c, ct))
            {
                c.RecordFollowUpSent(now);
            }
            else
            {
                c.Close(null, now, CaseOutcome.Unconfirmed, "No answer to the satisfaction check");
            }

            await clocks.ReconcileAsync(c, now, ct);
            changed.Add(c);
        }

        return changed;
    }
}

/// <summary>Reminds the owner before a promise falls due, and marks it broken once its time has passed while still open.</summary>
internal sealed class PromiseHandler : IDueWorkHandler
{
    public string Kind => DueWorkKinds.Promise;

    public async Task<IReadOnlyList<RecoveryCase>> HandleAsync(IServiceProvider services, IReadOnlyList<DueWork> items, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<AmendsDbContext>();
        var clocks = services.GetRequiredService<SlaClocks>();
        var promiseIds = items.Select(i => i.RefId).ToList();
        var promises = await db.Promises.Where(p => promiseIds.Contains(p.Id)).ToListAsync(ct);
        var caseIds = promises.Select(p => p.CaseId).Distinct().ToList();
        var cases = await db.Cases.Where(c => caseIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        foreach (var promise in promises)
        {
            var c = cases[promise.CaseId];
            c.CheckPromise(promise, now);
            await clocks.SetAsync(DueWorkKinds.Promise, c.Id, promise.Id, promise.NextCheckAt, ct);
        }

        return [.. cases.Values];
    }
}

/// <summary>An owner's away time is over: their cases are theirs alone again.</summary>
internal sealed class CoverEndHandler : IDueWorkHandler
{
    public string Kind => DueWorkKinds.CoverEnd;

    public async Task<IReadOnlyList<RecoveryCase>> HandleAsync(IServiceProvider services, IReadOnlyList<DueWork> items, DateTimeOffset now, CancellationToken ct)
    {
        var cover = services.GetRequiredService<Features.Cover.Cover>();
        var changed = new List<RecoveryCase>();
        foreach (var item in items)
        {
            changed.AddRange(await cover.EndAwayAsync(new UserId(item.RefId), now, ct));
        }

        return changed;
    }
}
