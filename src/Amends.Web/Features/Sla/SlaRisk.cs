namespace Amends.Web.Features.Sla;

/// <summary>
/// The one rule for "at risk" and "breached", which the SLA badge shows and the inbox's At risk and Breached views
/// filter by (ListCases states the same rule in SQL, with the same constant).
/// <list type="bullet">
/// <item>breached: the clock's breach was recorded, or its due time has passed (before the sweep records it);</item>
/// <item>at risk: a running clock, not breached, past its warning point or in its final <see cref="FinalStretch"/>;</item>
/// <item>a paused clock (waiting on the customer) is neither.</item>
/// </list>
/// A running clock without a warning time is past its warning point: <see cref="Domain.Sla.SlaClock.Check"/> clears it
/// once the warning is given, and a clock resumed inside its last stretch gets none. It stays at risk until it is met or
/// breaches; it does not drop out of the At risk view because someone was warned.
/// </summary>
public static class SlaRisk
{
    public static readonly TimeSpan FinalStretch = Amends.Domain.Cases.RecoveryCase.AtRiskStretch;

    public static string State(DateTime? due, DateTime? warnAt, bool paused, bool breached, DateTime now) =>
        paused ? "paused"
        : due is not { } d ? "none"
        : breached || d <= now ? "breached"
        : warnAt is not { } warn || now >= warn || d - now <= FinalStretch ? "risk"
        : "ok";
}
