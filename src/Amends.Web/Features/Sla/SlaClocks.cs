using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Sla;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Sla;

/// <summary>
/// Keeps a case's SLA clocks and its scheduled work in line with the case: reconciles the clocks in the team's
/// business hours, and writes the next instant anything falls due into <see cref="DueWork"/>, where a worker claims it.
/// </summary>
public sealed class SlaClocks(AmendsDbContext db, Playbooks.PlaybookLibrary playbooks)
{
    /// <summary>Days after resolution before the satisfaction check goes out, when the case has no playbook.</summary>
    public static readonly TimeSpan FollowUpDelay = TimeSpan.FromDays(3);

    /// <summary>Time between the check and each reminder, and from the last reminder to closing as Unconfirmed.</summary>
    public static readonly TimeSpan FollowUpReminderInterval = TimeSpan.FromDays(2);

    /// <summary>Reminders after the first ask before the case closes as Unconfirmed, when the case has no playbook.</summary>
    public const int FollowUpReminders = 1;

    private readonly Dictionary<TeamId, BusinessCalendar> _calendars = [];

    // Rows this scope has loaded or added; DbSet.Local would scan the whole change tracker on every call.
    private readonly Dictionary<(string Kind, Guid CaseId, Guid RefId), DueWork?> _rows = [];

    /// <summary>The SLA of the case's own playbook version; the default policy for a case without one.</summary>
    public async Task<SlaPolicy> PolicyForAsync(RecoveryCase c, CancellationToken ct) =>
        (await playbooks.ByIdAsync(c.PlaybookId, ct))?.SlaPolicy ?? SlaPolicy.Default;

    /// <summary>How many reminders the case's playbook allows before closing as Unconfirmed.</summary>
    public async Task<int> FollowUpRemindersForAsync(RecoveryCase c, CancellationToken ct) =>
        (await playbooks.ByIdAsync(c.PlaybookId, ct))?.Content.FollowUpReminders ?? FollowUpReminders;

    public async Task<BusinessCalendar> CalendarForAsync(TeamId? team, CancellationToken ct)
    {
        if (team is not { } id)
        {
            return BusinessCalendar.AlwaysOpen;
        }

        if (!_calendars.TryGetValue(id, out var calendar))
        {
            var found = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
            calendar = found?.Calendar() ?? BusinessCalendar.AlwaysOpen;
            _calendars[id] = calendar;
        }

        return calendar;
    }

    /// <summary>After a change to <paramref name="c"/>: clocks in line, due work scheduled.</summary>
    public async Task ReconcileAsync(RecoveryCase c, DateTimeOffset now, CancellationToken ct)
    {
        c.ReconcileSla(await PolicyForAsync(c, ct), await CalendarForAsync(c.TeamId, ct), now);
        await ScheduleAsync(c, ct);
    }

    /// <summary>Writes (or clears) the case's scheduled SLA check and follow-up from its current state.</summary>
    public async Task ScheduleAsync(RecoveryCase c, CancellationToken ct)
    {
        await SetAsync(DueWorkKinds.SlaCheck, c.Id, Guid.Empty, c.Sla.NextCheckAt, ct);
        var delay = (await playbooks.ByIdAsync(c.PlaybookId, ct))?.FollowUpAfter ?? FollowUpDelay;
        await SetAsync(DueWorkKinds.FollowUp, c.Id, Guid.Empty, NextFollowUpAt(c, delay), ct);
    }

    /// <summary>When the next follow-up step is due: the first ask after resolution, then each reminder, then closing.</summary>
    public static DateTime? NextFollowUpAt(RecoveryCase c, TimeSpan delay) =>
        c.Status != CaseStatus.Resolved || c.FollowUpScore is not null || c.ResolvedAt is not { } resolved
            ? null
            : resolved + delay + (FollowUpReminderInterval * c.FollowUpsSent);

    /// <summary>Loads the scheduled work of many cases in one query, so scheduling each of them needs none.</summary>
    public async Task PrimeAsync(IReadOnlyCollection<CaseId> caseIds, CancellationToken ct)
    {
        var ids = caseIds.Select(c => c.Value).ToList();
        var rows = await db.DueWork.Where(w => ids.Contains(w.CaseId)).ToListAsync(ct);
        foreach (var id in ids)
        {
            foreach (var kind in new[] { DueWorkKinds.SlaCheck, DueWorkKinds.FollowUp })
            {
                _rows.TryAdd((kind, id, Guid.Empty), null);
            }
        }

        foreach (var row in rows)
        {
            _rows[(row.Kind, row.CaseId, row.RefId)] = row;
        }
    }

    /// <summary>Upserts the one row for (kind, case, reference); a null due time removes it.</summary>
    public async Task SetAsync(string kind, CaseId caseId, Guid refId, DateTime? dueAt, CancellationToken ct)
    {
        var key = (kind, caseId.Value, refId);
        if (!_rows.TryGetValue(key, out var row))
        {
            row = await db.DueWork.SingleOrDefaultAsync(w => w.Kind == kind && w.CaseId == caseId.Value && w.RefId == refId, ct);
            _rows[key] = row;
        }

        if (dueAt is null)
        {
            if (row is not null)
            {
                db.DueWork.Remove(row);
                _rows[key] = null;
            }

            return;
        }

        if (row is null)
        {
            row = new DueWork { Id = Guid.CreateVersion7(), Kind = kind, CaseId = caseId.Value, RefId = refId, DueAt = dueAt.Value };
            db.DueWork.Add(row);
            _rows[key] = row;
        }
        else if (row.DueAt != dueAt || row.LeaseOwner is not null)
        {
            row.DueAt = dueAt.Value;
            row.LeaseOwner = null;
            row.LeaseUntil = null;
            row.Attempts = 0;
        }
    }
}
