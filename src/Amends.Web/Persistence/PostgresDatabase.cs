using Npgsql;

namespace Amends.Web.Persistence;

/// <summary>A start that cannot go on, with one line that says what to do (no stack trace: nothing is broken in the code).</summary>
public sealed class StartupException(string message) : Exception(message);

/// <summary>
/// Before the first migration: the configured PostgreSQL database must exist. It is created when the role may
/// (CREATEDB or superuser); otherwise the start ends with one line naming the command to run.
/// </summary>
internal static class PostgresDatabase
{
    public static void EnsureExists(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            return;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // Missing: create it below.
        }
        catch (NpgsqlException e)
        {
            throw new StartupException($"PostgreSQL at {target.Host}:{target.Port} does not answer ({e.InnerException?.Message ?? e.Message}). "
                + "Check ConnectionStrings__Amends and that the server is running.");
        }

        var name = target.Database!;
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        try
        {
            using var connection = new NpgsqlConnection(maintenance.ConnectionString);
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            create.ExecuteNonQuery();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another instance created it a moment ago.
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new StartupException($"The PostgreSQL database \"{name}\" does not exist and the role \"{target.Username}\" may not create it. "
                + $"Run: createdb -h {target.Host} -p {target.Port} -O {target.Username} {name}   (or, as an admin: CREATE DATABASE \"{name}\" OWNER \"{target.Username}\";)");
        }
    }
}
