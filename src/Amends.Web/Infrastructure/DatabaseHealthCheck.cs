using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Amends.Web.Infrastructure;

/// <summary>Readiness: the database answers a query. Registered with a short timeout, so a stopped server fails it in seconds.</summary>
internal sealed class DatabaseHealthCheck(AmendsDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy($"{(db.IsPostgres ? "PostgreSQL" : "SQLite")} answers")
                : HealthCheckResult.Unhealthy("The database does not answer");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The database does not answer: " + e.GetType().Name, e);
        }
    }
}
