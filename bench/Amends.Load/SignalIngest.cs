using System.Data.Common;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amends.Bench.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Amends.Load;

/// <summary>
/// Issue 9's ingestion figure: batches of 1,000 signals posted to <c>/api/signals/batch</c> by several clients for a
/// while, then the same rows inserted bare (one multi-row INSERT per 1,000, in a transaction, into a twin table with the
/// same indexes): the ceiling the API's rate is compared with.
/// </summary>
internal static class SignalIngest
{
    private static readonly string[] Texts =
    [
        "Thanks, all sorted.", "Great service as always", "The parcel came two days late and nobody told me.",
        "Still no refund after three weeks.", "I am cancelling my subscription, this is the third time it failed.",
        "Lovely staff, quick delivery.", "Waited 40 minutes on hold, then they hung up.", "Can I change my delivery address?",
        "The app keeps crashing when I pay.", "Very happy with the replacement, thank you!",
    ];

    public sealed record Figures(int Signals, double Seconds, double PerSecond, double P50Ms, double P95Ms, int Failed);

    /// <summary>Posts batches for <paramref name="seconds"/> from <paramref name="clients"/> clients; each batch is new signals.</summary>
    public static async Task<Figures> PostAsync(Uri baseAddress, string apiKey, int seconds, int clients, int runId)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var latencies = new List<double>();
        var stored = 0;
        var failed = 0;
        var next = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                var batch = Interlocked.Increment(ref next);
                using var content = new StringContent(Batch(runId, batch), Encoding.UTF8, "application/json");
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync("/api/signals/batch", content);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    if (Interlocked.Increment(ref failed) == 1)
                    {
                        Console.WriteLine($"  a batch failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }

                    continue;
                }

                var result = await response.Content.ReadFromJsonAsync<JsonElement>();
                Interlocked.Add(ref stored, result.GetProperty("stored").GetInt32());
                lock (latencies)
                {
                    latencies.Add(ms);
                }
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        return new Figures(stored, elapsed, stored / elapsed, Percentile(0.5), Percentile(0.95), failed);
    }

    /// <summary>
    /// 1,000 signals as a shop, a survey tool, review sites and a chat widget send them: mostly behaviour events, a
    /// quarter survey answers (half with a comment), some messages and reviews, for 20,000 customers matched by e-mail.
    /// </summary>
    public static string Batch(int runId, int batch)
    {
        var random = new Random((runId * 100_000) + batch);
        var at = TimeProvider.System.GetUtcNow();
        var items = new List<object>(1000);
        for (var i = 0; i < 1000; i++)
        {
            var id = $"{runId}-{batch}-{i}";
            var customer = new { email = $"shopper{random.Next(20_000)}@load.example" };
            var when = at.AddMinutes(-random.Next(60 * 24 * 30));
            var roll = random.Next(100);
            items.Add(roll switch
            {
                < 60 => new { source = "shop", externalId = id, kind = "Behaviour", occurredAt = when, customer, @event = random.Next(10) < 8 ? "OrderPlaced" : "DeliveryLate", value = (decimal?)random.Next(10, 300) },
                < 85 => (object)new { source = "survey", externalId = id, kind = "Survey", occurredAt = when, customer, surveyType = "Nps", score = random.Next(11), text = random.Next(2) == 0 ? Texts[random.Next(Texts.Length)] : null },
                < 95 => new { source = "chat", externalId = id, kind = "Message", occurredAt = when, customer, text = Texts[random.Next(Texts.Length)] },
                _ => new { source = "reviews", externalId = id, kind = "Review", occurredAt = when, customer, rating = random.Next(1, 6), site = "Trustpilot", text = Texts[random.Next(Texts.Length)] },
            });
        }

        return JsonSerializer.Serialize(new { items }, JsonSerializerOptions.Web);
    }

    /// <summary>
    /// The ceiling: the rows the API stored, inserted again bare into a twin of the Signals table with the same indexes,
    /// 1,000 per INSERT and transaction, from one connection (SQLite has one writer; PostgreSQL gets the same for a like
    /// comparison). Rows per second.
    /// </summary>
    public static async Task<double> BareInsertAsync(string connectionString, bool postgres)
    {
        await using DbConnection connection = postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync();
        var q = (string name) => $"\"{name}\"";
        await BulkSql.ExecAsync(connection, $"DROP TABLE IF EXISTS {q("SignalsBare")}");
        await BulkSql.ExecAsync(connection, postgres
            ? $"CREATE TABLE {q("SignalsBare")} (LIKE {q("Signals")} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            : $"CREATE TABLE {q("SignalsBare")} AS SELECT * FROM {q("Signals")} WHERE 0");
        await BulkSql.ExecAsync(connection, $"""
            CREATE UNIQUE INDEX "IX_SignalsBare_Key" ON "SignalsBare" ("Source", "ExternalId");
            CREATE UNIQUE INDEX "IX_SignalsBare_Id" ON "SignalsBare" ("Id");
            CREATE INDEX "IX_SignalsBare_Customer" ON "SignalsBare" ("CustomerId", "OccurredAt");
            CREATE INDEX "IX_SignalsBare_Case" ON "SignalsBare" ("CaseId") WHERE "CaseId" IS NOT NULL;
            CREATE INDEX "IX_SignalsBare_Pending" ON "SignalsBare" ("Action", "Risk") WHERE "Action" = 'Pending';
            CREATE INDEX "IX_SignalsBare_AwaitingModel" ON "SignalsBare" ("Risk" DESC, "ReceivedAt") WHERE "ModelScore" IS NULL AND "Text" IS NOT NULL;
            """);
        var columns = await BulkSql.ColumnsAsync(connection, postgres, "Signals");
        var rows = new List<object?[]>();
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT {string.Join(", ", columns.Select(q))} FROM {q("Signals")}";
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new object?[columns.Count];
                reader.GetValues(row!);
                rows.Add(row);
            }
        }

        // SQLite's fastest way in is one prepared single-row INSERT run for each row of the transaction (binding thousands
        // of named parameters of one statement costs more than the insert); PostgreSQL's is one multi-row INSERT.
        var watch = Stopwatch.StartNew();
        foreach (var chunk in rows.Chunk(1000))
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            var perStatement = postgres ? chunk.Length : 1;
            var values = new StringBuilder();
            for (var r = 0; r < perStatement; r++)
            {
                values.Append(r == 0 ? "(" : ",(");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = $"@p{r}_{c}";
                    values.Append(c == 0 ? name : "," + name);
                    var parameter = insert.CreateParameter();
                    parameter.ParameterName = name;
                    if (parameter is NpgsqlParameter json && columns[c] == "Cues")
                    {
                        json.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb;
                    }

                    insert.Parameters.Add(parameter);
                }

                values.Append(')');
            }

            insert.CommandText = $"INSERT INTO {q("SignalsBare")} ({string.Join(", ", columns.Select(q))}) VALUES {values}";
            for (var first = 0; first < chunk.Length; first += perStatement)
            {
                for (var r = 0; r < perStatement; r++)
                {
                    for (var c = 0; c < columns.Count; c++)
                    {
                        insert.Parameters[(r * columns.Count) + c].Value = chunk[first + r][c] ?? DBNull.Value;
                    }
                }

                await insert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        var perSecond = rows.Count / watch.Elapsed.TotalSeconds;
        await BulkSql.ExecAsync(connection, $"DROP TABLE {q("SignalsBare")}");
        return perSecond;
    }
}
