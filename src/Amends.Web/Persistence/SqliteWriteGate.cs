using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Amends.Web.Persistence;

/// <summary>
/// SQLite takes one writer at a time. Left to themselves, concurrent saves race for its lock and the losers sleep in
/// Microsoft.Data.Sqlite's retry loop (150 ms a turn), which put case creation at 8 connections at a p95 of 250 ms.
/// This gate queues the saves of this process in order instead (one <see cref="SemaphoreSlim"/>, first come first
/// served, no sleeping), from just before the save allocates its case numbers to just after it commits.
/// A save inside a transaction the caller began already holds SQLite's lock, so it does not queue here (waiting would
/// deadlock against a queued save waiting for that lock); such writers and bulk statements wait in SQLite's own busy
/// handler (<see cref="SqlitePragmas"/> sets it), as before.
/// </summary>
internal sealed class SqliteWriteGate : SaveChangesInterceptor, IDisposable
{
    /// <summary>
    /// A save waits this long for its turn, then goes ahead anyway and waits in SQLite's own busy handler: a gate a
    /// save never gave back (a path EF Core reports through none of the hooks below) slows writes down, never stops them.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _holders = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (Queues(eventData.Context) && _gate.Wait(Patience))
        {
            _holders.AddOrUpdate(eventData.Context!, this);
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (Queues(eventData.Context) && await _gate.WaitAsync(Patience, cancellationToken))
        {
            _holders.AddOrUpdate(eventData.Context!, this);
        }

        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Release(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Release(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    // EF Core reports a concurrency conflict here and then throws without calling SaveChangesFailed.
    public override InterceptionResult ThrowingConcurrencyException(ConcurrencyExceptionEventData eventData, InterceptionResult result)
    {
        Release(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Release(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    public void Dispose() => _gate.Dispose();

    private static bool Queues(DbContext? context) => context is not null && context.Database.CurrentTransaction is null;

    private void Release(DbContext? context)
    {
        if (context is not null && _holders.Remove(context))
        {
            _gate.Release();
        }
    }
}
