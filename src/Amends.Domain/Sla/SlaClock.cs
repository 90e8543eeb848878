using Amends.Domain.Cases;

namespace Amends.Domain.Sla;

public enum SlaClockKind
{
    Acknowledge,
    Update,
    Resolve,
}

/// <summary>What a check of the clocks found: a warning before a breach, or the breach itself.</summary>
public sealed record SlaEvent(SlaClockKind Clock, bool Breach, DateTime DueAt);

/// <summary>
/// A case's three SLA clocks. All due times are UTC instants computed in the team's business hours; targets are business
/// time. <see cref="Reconcile"/> brings the clocks in line with the case after any change (it compares with the status
/// and last update it saw before); <see cref="Check"/> reports warnings and breaches that have fallen due, once each.
/// <see cref="NextCheckAt"/> is the next instant at which <see cref="Check"/> has something to report, or null.
/// </summary>
public sealed class SlaClock
{
    public TimeSpan AcknowledgeTarget { get; private set; }

    public TimeSpan UpdateTarget { get; private set; }

    public TimeSpan ResolveTarget { get; private set; }

    public double WarnAt { get; private set; } = 0.8;

    public DateTime? AcknowledgeBy { get; private set; }

    /// <summary>
    /// When the acknowledge warning falls due. Null while the clock runs means its warning point has passed: it is cleared
    /// once the warning is given (so it is given once). The same holds for the update and resolve warnings.
    /// </summary>
    public DateTime? AcknowledgeWarnAt { get; private set; }

    public DateTime? NextUpdateBy { get; private set; }

    public DateTime? NextUpdateWarnAt { get; private set; }

    public DateTime? ResolveBy { get; private set; }

    public DateTime? ResolveWarnAt { get; private set; }

    /// <summary>Business time left on the resolve clock while it is paused (waiting on the customer).</summary>
    public TimeSpan? ResolvePausedRemaining { get; private set; }

    public bool? AcknowledgedOnTime { get; private set; }

    public bool? ResolvedOnTime { get; private set; }

    public bool AcknowledgeBreached { get; private set; }

    public bool ResolveBreached { get; private set; }

    public int UpdatesMissed { get; private set; }

    public DateTime? NextCheckAt { get; private set; }

    /// <summary>The case status the clocks were last brought in line with.</summary>
    public CaseStatus? ObservedStatus { get; private set; }

    /// <summary>The last update to the customer the clocks have counted.</summary>
    public DateTime? ObservedUpdateAt { get; private set; }

    public bool IsPaused => ResolvePausedRemaining is not null;

    /// <summary>Brings the clocks in line with <paramref name="c"/> after whatever just happened to it.</summary>
    public void Reconcile(RecoveryCase c, SlaPolicy policy, BusinessCalendar calendar, DateTimeOffset now)
    {
        var previous = ObservedStatus;
        if (previous is null)
        {
            Start(policy.For(c.Priority), policy.WarnAt, calendar, new DateTimeOffset(c.CreatedAt, TimeSpan.Zero));
        }

        var current = c.Status;

        // The first response stops the acknowledge clock, however many steps the case took since the last reconcile.
        if (c.AcknowledgedAt is { } acknowledgedAt && AcknowledgedOnTime is null)
        {
            AcknowledgedOnTime = AcknowledgeBy is null || acknowledgedAt <= AcknowledgeBy;
            AcknowledgeBy = AcknowledgeWarnAt = null;
            if (current is CaseStatus.Acknowledged or CaseStatus.Resolving)
            {
                OweUpdate(calendar, now);
            }
        }

        if (previous != current)
        {
            switch (current)
            {
                case CaseStatus.WaitingOnCustomer:
                    Pause(calendar, now);
                    NextUpdateBy = NextUpdateWarnAt = null;
                    break;
                case CaseStatus.Resolving when previous == CaseStatus.WaitingOnCustomer:
                    Resume(calendar, now);
                    OweUpdate(calendar, now);
                    break;
                case CaseStatus.Resolving when previous is CaseStatus.Resolved or CaseStatus.Closed:
                    // Reopened: the customer gets a fresh resolve clock at the (possibly raised) priority.
                    var targets = policy.For(c.Priority);
                    (AcknowledgeTarget, UpdateTarget, ResolveTarget) = (targets.AcknowledgeWithin, targets.UpdateEvery, targets.ResolveWithin);
                    ResolvedOnTime = null;
                    ResolveBreached = false;
                    ResolvePausedRemaining = null;
                    SetResolve(calendar, now, ResolveTarget);
                    OweUpdate(calendar, now);
                    break;
                case CaseStatus.Resolving when previous == CaseStatus.Acknowledged:
                    break;
                case CaseStatus.Resolved:
                    ResolvedOnTime = ResolveBy is null ? ResolvePausedRemaining > TimeSpan.Zero : now.UtcDateTime <= ResolveBy;
                    StopAll();
                    break;
                case CaseStatus.Closed:
                    if (previous is not CaseStatus.Resolved)
                    {
                        StopAll();
                    }

                    break;
            }

            ObservedStatus = current;
        }

        if (c.LastUpdateSentAt is { } sent && sent != ObservedUpdateAt)
        {
            ObservedUpdateAt = sent;
            if (current is CaseStatus.Acknowledged or CaseStatus.Resolving)
            {
                OweUpdate(calendar, new DateTimeOffset(sent, TimeSpan.Zero));
            }
        }

        ComputeNextCheck();
    }

    /// <summary>Reports each warning and breach due at <paramref name="now"/> exactly once.</summary>
    public IReadOnlyList<SlaEvent> Check(BusinessCalendar calendar, DateTimeOffset now)
    {
        var events = new List<SlaEvent>();
        var at = now.UtcDateTime;
        if (AcknowledgeBy is { } ackBy)
        {
            if (at >= ackBy && !AcknowledgeBreached)
            {
                AcknowledgeBreached = true;
                AcknowledgeWarnAt = null;
                events.Add(new SlaEvent(SlaClockKind.Acknowledge, true, ackBy));
            }
            else if (AcknowledgeWarnAt is { } warn && at >= warn)
            {
                AcknowledgeWarnAt = null;
                events.Add(new SlaEvent(SlaClockKind.Acknowledge, false, ackBy));
            }
        }

        if (NextUpdateBy is { } updateBy)
        {
            if (at >= updateBy)
            {
                UpdatesMissed++;
                events.Add(new SlaEvent(SlaClockKind.Update, true, updateBy));

                // One breach per check that finds it missed; the next update is owed a full interval from now.
                OweUpdate(calendar, now);
            }
            else if (NextUpdateWarnAt is { } warn && at >= warn)
            {
                NextUpdateWarnAt = null;
                events.Add(new SlaEvent(SlaClockKind.Update, false, updateBy));
            }
        }

        if (ResolveBy is { } resolveBy)
        {
            if (at >= resolveBy && !ResolveBreached)
            {
                ResolveBreached = true;
                ResolveWarnAt = null;
                events.Add(new SlaEvent(SlaClockKind.Resolve, true, resolveBy));
            }
            else if (ResolveWarnAt is { } warn && at >= warn)
            {
                ResolveWarnAt = null;
                events.Add(new SlaEvent(SlaClockKind.Resolve, false, resolveBy));
            }
        }

        ComputeNextCheck();
        return events;
    }

    private void Start(SlaTargets targets, double warnAt, BusinessCalendar calendar, DateTimeOffset start)
    {
        (AcknowledgeTarget, UpdateTarget, ResolveTarget, WarnAt) = (targets.AcknowledgeWithin, targets.UpdateEvery, targets.ResolveWithin, warnAt);
        AcknowledgeBy = calendar.Add(start, AcknowledgeTarget).UtcDateTime;
        AcknowledgeWarnAt = calendar.Add(start, AcknowledgeTarget * WarnAt).UtcDateTime;
        SetResolve(calendar, start, ResolveTarget);
    }

    private void SetResolve(BusinessCalendar calendar, DateTimeOffset from, TimeSpan left)
    {
        ResolveBy = calendar.Add(from, left).UtcDateTime;
        var beforeWarning = left - (ResolveTarget * (1 - WarnAt));
        ResolveWarnAt = beforeWarning > TimeSpan.Zero ? calendar.Add(from, beforeWarning).UtcDateTime : null;
    }

    private void OweUpdate(BusinessCalendar calendar, DateTimeOffset from)
    {
        NextUpdateBy = calendar.Add(from, UpdateTarget).UtcDateTime;
        NextUpdateWarnAt = calendar.Add(from, UpdateTarget * WarnAt).UtcDateTime;
    }

    private void Pause(BusinessCalendar calendar, DateTimeOffset now)
    {
        if (ResolveBy is not { } resolveBy)
        {
            return;
        }

        ResolvePausedRemaining = calendar.Between(now, new DateTimeOffset(resolveBy, TimeSpan.Zero));
        ResolveBy = ResolveWarnAt = null;
    }

    private void Resume(BusinessCalendar calendar, DateTimeOffset now)
    {
        if (ResolvePausedRemaining is not { } left)
        {
            return;
        }

        ResolvePausedRemaining = null;
        if (left <= TimeSpan.Zero)
        {
            // Paused after the breach: it stays breached and due now.
            ResolveBy = now.UtcDateTime;
            ResolveWarnAt = null;
            return;
        }

        SetResolve(calendar, now, left);
    }

    private void StopAll()
    {
        AcknowledgeBy = AcknowledgeWarnAt = NextUpdateBy = NextUpdateWarnAt = ResolveBy = ResolveWarnAt = null;
        ResolvePausedRemaining = null;
    }

    private void ComputeNextCheck()
    {
        DateTime?[] candidates =
        [
            AcknowledgeBreached ? null : AcknowledgeBy,
            AcknowledgeWarnAt,
            NextUpdateBy,
            NextUpdateWarnAt,
            ResolveBreached ? null : ResolveBy,
            ResolveWarnAt,
        ];
        NextCheckAt = candidates.Where(c => c is not null).Min();
    }
}
