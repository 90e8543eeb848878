using Amends.Domain.Cases;

namespace Amends.Domain.Sla;

/// <summary>Targets for one priority, in business time: first response, the gap between updates, and resolution.</summary>
public sealed record SlaTargets(TimeSpan AcknowledgeWithin, TimeSpan UpdateEvery, TimeSpan ResolveWithin);

/// <summary>
/// Targets per priority, and the share of a target after which the owner is warned (default 80 %).
/// </summary>
public sealed record SlaPolicy(IReadOnlyDictionary<Priority, SlaTargets> Targets, double WarnAt = 0.8)
{
    public static SlaPolicy Default { get; } = new(new Dictionary<Priority, SlaTargets>
    {
        [Priority.Urgent] = new(TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(8)),
        [Priority.High] = new(TimeSpan.FromHours(1), TimeSpan.FromHours(4), TimeSpan.FromHours(16)),
        [Priority.Normal] = new(TimeSpan.FromHours(4), TimeSpan.FromHours(8), TimeSpan.FromHours(40)),
        [Priority.Low] = new(TimeSpan.FromHours(8), TimeSpan.FromHours(16), TimeSpan.FromHours(80)),
    });

    public SlaTargets For(Priority priority) => Targets.TryGetValue(priority, out var targets) ? targets : Default.Targets[priority];
}
