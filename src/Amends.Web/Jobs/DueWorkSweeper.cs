using Amends.Domain.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Jobs;

/// <summary>Handles claimed due work of one kind; changes are saved by the sweeper in the same transaction that completes the work.</summary>
public interface IDueWorkHandler
{
    string Kind { get; }

    /// <summary>Applies the work to the cases; returns the cases it changed.</summary>
    Task<IReadOnlyList<RecoveryCase>> HandleAsync(IServiceProvider services, IReadOnlyList<DueWork> items, DateTimeOffset now, CancellationToken ct);
}

/// <summary>
/// One sweep: claim up to a batch of due rows with one atomic, lease-guarded update, then per kind apply the work and
/// delete the claimed rows in one transaction. The delete only counts rows this sweep still owns, so if a lease ran
/// out and another instance took a row over, this sweep's transaction rolls back and the row is done exactly once.
/// </summary>
public sealed class DueWorkSweeper(IServiceScopeFactory scopes, IEnumerable<IDueWorkHandler> handlers, CaseChangeFeed feed, TimeProvider time, Infrastructure.AmendsMetrics metrics, ILogger<DueWorkSweeper> logger)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly Dictionary<string, IDueWorkHandler> _handlers = handlers.ToDictionary(h => h.Kind);

    /// <summary>Claims and processes one batch; returns how many rows it completed.</summary>
    public async Task<int> SweepOnceAsync(int batchSize, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var done = await SweepAsync(batchSize, ct);
        metrics.Swept(time.GetElapsedTime(started), done);
        return done;
    }

    private async Task<int> SweepAsync(int batchSize, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var owner = Guid.CreateVersion7();
        var claimed = await ClaimAsync(batchSize, owner, now, ct);
        var done = 0;
        foreach (var group in claimed.GroupBy(w => w.Kind))
        {
            if (!_handlers.TryGetValue(group.Key, out var handler))
            {
                logger.LogError("No handler for due work of kind {Kind}; {Count} row(s) left in place", group.Key, group.Count());
                continue;
            }

            done += await CompleteAsync(handler, [.. group], owner, now, ct);
        }

        return done;
    }

    /// <summary>Leases up to <paramref name="batchSize"/> due rows to <paramref name="owner"/> and returns them.</summary>
    public async Task<IReadOnlyList<DueWork>> ClaimAsync(int batchSize, Guid owner, DateTimeOffset now, CancellationToken ct)
    {
        var at = now.UtcDateTime;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            var candidates = await db.DueWork.AsNoTracking()
                .Where(w => w.DueAt <= at && (w.LeaseUntil == null || w.LeaseUntil < at))
                .OrderBy(w => w.DueAt)
                .Select(w => w.Id)
                .Take(batchSize)
                .ToListAsync(ct);
            if (candidates.Count == 0)
            {
                return [];
            }

            // The lease condition is repeated here so that, of two instances racing for a row, only one update matches.
            var leaseUntil = at + Lease;
            await db.DueWork
                .Where(w => candidates.Contains(w.Id) && (w.LeaseUntil == null || w.LeaseUntil < at))
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.LeaseOwner, owner).SetProperty(w => w.LeaseUntil, leaseUntil).SetProperty(w => w.Attempts, w => w.Attempts + 1), ct);
            return await db.DueWork.AsNoTracking().Where(w => candidates.Contains(w.Id) && w.LeaseOwner == owner).ToListAsync(ct);
        }
    }

    private async Task<int> CompleteAsync(IDueWorkHandler handler, IReadOnlyList<DueWork> items, Guid owner, DateTimeOffset now, CancellationToken ct)
    {
        IReadOnlyList<RecoveryCase> changed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            try
            {
                var ids = items.Select(i => i.Id).ToList();
                var deleted = await db.DueWork.Where(w => ids.Contains(w.Id) && w.LeaseOwner == owner).ExecuteDeleteAsync(ct);
                if (deleted != items.Count)
                {
                    // Someone else owns part of the batch now (a lease ran out, or a user rescheduled a row): undo, and
                    // do the rest one by one so each row is judged on its own.
                    await transaction.RollbackAsync(ct);
                    return items.Count == 1 ? 0 : await OneByOneAsync(handler, items, owner, now, ct);
                }

                changed = await handler.HandleAsync(scope.ServiceProvider, items, now, ct);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
            {
                await transaction.RollbackAsync(CancellationToken.None);
                if (items.Count > 1)
                {
                    return await OneByOneAsync(handler, items, owner, now, ct);
                }

                logger.LogWarning(ex, "Due work {Kind} for case {CaseId} failed; it is retried when its lease runs out", handler.Kind, items[0].CaseId);
                await RecordFailureAsync(items[0], ex, ct);
                return 0;
            }
        }

        foreach (var c in changed)
        {
            await feed.PublishAsync(new CaseChanged(c.Id, CaseChangeKind.Updated, c.TeamId, c.OwnerId));
        }

        return items.Count;
    }

    private async Task<int> OneByOneAsync(IDueWorkHandler handler, IReadOnlyList<DueWork> items, Guid owner, DateTimeOffset now, CancellationToken ct)
    {
        var done = 0;
        foreach (var item in items)
        {
            done += await CompleteAsync(handler, [item], owner, now, ct);
        }

        return done;
    }

    private async Task RecordFailureAsync(DueWork item, Exception ex, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var message = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
        await db.DueWork.Where(w => w.Id == item.Id).ExecuteUpdateAsync(s => s.SetProperty(w => w.LastError, message), ct);
    }
}

/// <summary>Runs sweeps while there is due work, then waits a poll interval. Time comes from <see cref="TimeProvider"/>.</summary>
internal sealed class DueWorker(DueWorkSweeper sweeper, Housekeeping housekeeping, TimeProvider time, IConfiguration configuration, ILogger<DueWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(configuration.GetValue("Amends:Jobs:PollSeconds", 5.0));
        var batch = configuration.GetValue("Amends:Jobs:BatchSize", 500);
        if (!configuration.GetValue("Amends:Jobs:Enabled", true))
        {
            logger.LogInformation("Background work is disabled on this instance (Amends:Jobs:Enabled=false)");
            return;
        }

        var nextHousekeeping = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var done = await sweeper.SweepOnceAsync(batch, stoppingToken);
                if (done > 0)
                {
                    logger.LogDebug("Completed {Count} due item(s)", done);
                    continue;
                }

                if (time.GetUtcNow() >= nextHousekeeping)
                {
                    await housekeeping.RunAsync(stoppingToken);
                    nextHousekeeping = time.GetUtcNow().AddHours(1);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever went wrong, the work stays in its rows and is tried again: one failure must not stop the host.
                logger.LogError(ex, "A sweep of due work failed; trying again after {Poll}", poll);
            }

            await Task.Delay(poll, time, stoppingToken);
        }
    }
}
