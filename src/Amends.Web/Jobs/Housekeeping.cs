using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Jobs;

/// <summary>
/// Removes what is only kept for a while: idempotency records older than a day (a client retrying after that is
/// making a new request). Runs from the due-work loop when it is idle.
/// </summary>
public sealed class Housekeeping(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly TimeSpan IdempotencyRetention = TimeSpan.FromHours(24);

    /// <summary>Deletes expired records; returns how many.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var before = time.GetUtcNow().UtcDateTime - IdempotencyRetention;
        return await db.IdempotencyRecords.Where(r => r.CreatedAt < before).ExecuteDeleteAsync(ct);
    }
}
