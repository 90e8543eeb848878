using System.Collections.Concurrent;

namespace Amends.Web.Persistence;

/// <summary>
/// SQLite takes one writer at a time. Left to themselves, concurrent saves race for its lock and the losers sleep in
/// Microsoft.Data.Sqlite's retry loop (150 ms a turn), which put case creation at 8 connections at a p95 of 250 ms.
/// Saves to one database file queue here instead, in order (one async semaphore per file, first come first served, no
/// sleeping), around the whole save: case numbers, interceptors, statements and commit
/// (<see cref="SqliteAmendsDbContext"/>'s SaveChanges). A save inside a transaction the caller began already holds
/// SQLite's lock, so it does not queue (waiting would deadlock against a queued save waiting for that lock); such writers
/// and bulk statements wait in SQLite's own busy handler (<see cref="SqlitePragmas"/> sets it), as before.
/// </summary>
internal static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public static SemaphoreSlim For(string? dataSource) => Gates.GetOrAdd(Path.GetFullPath(string.IsNullOrEmpty(dataSource) ? ":memory:" : dataSource), _ => new SemaphoreSlim(1, 1));
}
