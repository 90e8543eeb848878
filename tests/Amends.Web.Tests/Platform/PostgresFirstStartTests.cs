using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Npgsql;

namespace Amends.Web.Tests.Platform;

/// <summary>A first start on a PostgreSQL server where the database is not there yet.</summary>
public sealed class PostgresFirstStartTests
{
    private static string Server => Environment.GetEnvironmentVariable(TestDatabase.PostgresVariable)
        ?? throw new InvalidOperationException($"{TestDatabase.PostgresVariable} is not set: run ./test.sh.");

    [Fact]
    public async Task A_missing_database_is_created_when_the_role_may()
    {
        var name = "amends_missing_" + Guid.NewGuid().ToString("N")[..12];
        var connection = new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
        try
        {
            var app = AmendsApp.Build(["--Database:Provider=Postgres", $"--ConnectionStrings:Amends={connection}"], withUi: false);
            await app.DisposeAsync();

            Assert.True(await ExistsAsync(name));
        }
        finally
        {
            await ExecuteAsync(Server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task A_missing_database_the_role_may_not_create_ends_the_start_with_one_line_saying_what_to_run()
    {
        var role = "amends_plain_" + Guid.NewGuid().ToString("N")[..8];
        var name = "amends_missing_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(Server, $"CREATE ROLE {role} LOGIN NOCREATEDB");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(Server) { Database = name, Username = role }.ConnectionString;

            var error = Assert.Throws<StartupException>(() => AmendsApp.Build(["--Database:Provider=Postgres", $"--ConnectionStrings:Amends={connection}"], withUi: false));

            Assert.Contains($"createdb -h", error.Message, StringComparison.Ordinal);
            Assert.Contains($"-O {role} {name}", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
            Assert.False(await ExistsAsync(name));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(Server, $"DROP ROLE IF EXISTS {role}");
        }
    }

    private static async Task<bool> ExistsAsync(string name)
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", name);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == 1;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
