namespace Amends.Web.Persistence;

/// <summary>What a piece of due work is.</summary>
public static class DueWorkKinds
{
    /// <summary>Check a case's SLA clocks (warning or breach falls due).</summary>
    public const string SlaCheck = "sla-check";

    /// <summary>Ask the customer how it went, remind them, or close the case as Unconfirmed.</summary>
    public const string FollowUp = "follow-up";

    /// <summary>Remind the owner of a promise before it falls due, or mark it broken once it has.</summary>
    public const string Promise = "promise";

    /// <summary>Hand a case back to its owner when their cover ends.</summary>
    public const string CoverEnd = "cover-end";
}

/// <summary>
/// One piece of work that falls due at <see cref="DueAt"/>: state lives in the database, not in timers, so nothing is
/// lost on restart. A worker claims due rows by writing its id and a lease into <see cref="LeaseOwner"/> and
/// <see cref="LeaseUntil"/> in one atomic update; a row whose lease ran out (its worker died) is claimed again.
/// At most one row per (kind, case, reference).
/// </summary>
public sealed class DueWork
{
    public Guid Id { get; set; }

    public string Kind { get; set; } = "";

    public Guid CaseId { get; set; }

    /// <summary>The promise, or <see cref="Guid.Empty"/> when the work is about the case itself.</summary>
    public Guid RefId { get; set; }

    public DateTime DueAt { get; set; }

    public Guid? LeaseOwner { get; set; }

    public DateTime? LeaseUntil { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}
