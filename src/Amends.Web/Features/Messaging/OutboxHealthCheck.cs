using Amends.Domain.Messaging;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Messaging;

/// <summary>
/// Readiness reports outbox lag: messages still waiting to go <c>Amends:Outbox:LagWarningMinutes</c> (10) after they were
/// queued make the check Degraded, with how many and since when. Degraded still answers 200 (the instance can serve),
/// so a load balancer keeps it while monitoring sees that customers are not hearing from us.
/// </summary>
internal sealed class OutboxHealthCheck(AmendsDbContext db, TimeProvider time, IOptionsMonitor<OutboxOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var lag = TimeSpan.FromMinutes(Math.Max(1, options.CurrentValue.LagWarningMinutes));
        var before = time.GetUtcNow().UtcDateTime - lag;
        var late = db.Outbox.AsNoTracking().Where(m => m.State == OutboxState.Queued && m.CreatedAt < before);
        var oldest = await late.OrderBy(m => m.CreatedAt).Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (oldest is null)
        {
            return HealthCheckResult.Healthy($"No message has waited longer than {lag.TotalMinutes:0} minutes");
        }

        var count = await late.Take(10_001).CountAsync(cancellationToken);
        return HealthCheckResult.Degraded(
            $"{(count > 10_000 ? "More than 10,000" : count.ToString(System.Globalization.CultureInfo.InvariantCulture))} message(s) waiting longer than "
            + $"{lag.TotalMinutes:0} minutes, the oldest since {oldest:yyyy-MM-dd HH:mm} UTC: see the Outbox page");
    }
}
