using Microsoft.Data.Sqlite;

namespace Amends.Web.Persistence;

/// <summary>
/// Folds SQLite's write-ahead log back into the database in the background, once a second, instead of inside whichever
/// request's commit happens to cross the log's size limit: a checkpoint syncs the files to disk, which on the machines
/// measured took a few hundred milliseconds and put the p95 of case creation at 460 ms. The app's own connections turn
/// automatic checkpoints off (<see cref="SqlitePragmas"/>); this service's PASSIVE checkpoint never waits for readers or
/// writers. Should it stop, SQLite falls back to nothing worse than a growing log, which the next start folds back.
/// </summary>
internal sealed class SqliteCheckpointer(string connectionString, ILogger<SqliteCheckpointer> logger, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = new SqliteConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                await command.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (SqliteException e)
            {
                // The database may not exist yet (first start) or be busy; the next tick tries again.
                logger.LogDebug(e, "WAL checkpoint skipped");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never let a checkpoint stop the app (a failed BackgroundService stops the host): say so, try again.
                logger.LogWarning(e, "WAL checkpoint failed; trying again in {Interval}", Interval);
            }
        }
    }

    /// <summary>Before the app stops: fold the whole log back and empty it, so the next start begins with none.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (SqliteException e)
        {
            logger.LogInformation(e, "WAL not truncated at shutdown (busy); the next checkpoint folds it back");
        }
    }
}
