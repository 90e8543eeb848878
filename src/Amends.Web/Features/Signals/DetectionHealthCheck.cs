using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Signals;

/// <summary>
/// Readiness reports the sentence model's backlog: more than <c>Amends:Detection:MaxBacklog</c> (10,000) texts waiting
/// makes the check Degraded, with how many and since when. Degraded still answers 200 (the instance serves), so a load
/// balancer keeps it while monitoring sees that detection has fallen behind.
/// </summary>
internal sealed class DetectionHealthCheck(ModelScoring scoring, IOptionsMonitor<DetectionOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!scoring.Enabled)
        {
            return HealthCheckResult.Healthy("The fast model alone reads texts (Amends:Detection:Model is Fast)");
        }

        var limit = Math.Max(0, options.CurrentValue.MaxBacklog);
        var backlog = await scoring.BacklogAsync(cancellationToken, cap: limit);
        var since = backlog.OldestReceivedAt is { } oldest ? $", the oldest since {oldest:yyyy-MM-dd HH:mm:ss} UTC" : "";
        return backlog.More
            ? HealthCheckResult.Degraded($"More than {limit:N0} texts wait for the sentence model{since}: see Admin › Detection")
            : HealthCheckResult.Healthy($"{backlog.Count:N0} text(s) wait for the sentence model{since}");
    }
}
