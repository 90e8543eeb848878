using System.Data.Common;

namespace Amends.Bench.Shared;

/// <summary>The plain SQL the benchmarks seed with: a table's writable columns, and a statement run with a long timeout.</summary>
internal static class BulkSql
{
    /// <summary>The table's columns in order, without PostgreSQL's generated ones (they cannot be inserted).</summary>
    public static async Task<List<string>> ColumnsAsync(DbConnection connection, bool postgres, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = postgres
            ? $"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' AND is_generated = 'NEVER' ORDER BY ordinal_position"
            : $"SELECT name FROM pragma_table_info('{table}')";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public static async Task ExecAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 1200;
        await command.ExecuteNonQueryAsync();
    }
}
