using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Amends.Web.Persistence;

/// <summary>
/// Per-connection SQLite settings: a 64 MiB page cache (the default 2 MiB keeps little of a large case table's indexes
/// in memory), synchronous=NORMAL, which in WAL mode stays crash-safe and only risks the last commits on power loss, and a
/// busy timeout: a writer that finds the database locked waits inside SQLite, which retries within a millisecond or two,
/// rather than in Microsoft.Data.Sqlite's retry loop, which sleeps 150 ms a turn (saves of this process queue in
/// <see cref="SqliteWriteGate"/> instead). Automatic checkpoints are off: <see cref="SqliteCheckpointer"/> does them in the
/// background, so no request's commit pays for syncing the log to disk; the log file is cut back to 64 MiB when reused.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA cache_size = -65536; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;";
        command.ExecuteNonQuery();
    }
}
