using Amends.Bench.Shared;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Teams;
using Amends.Web;
using Amends.Web.Features.Cases;
using Amends.Web.Jobs;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Load run for the workflow's performance goals (issue 3): with N open cases of which D are due, how long one sweep
// takes to claim and process the due ones, and the p50/p95/p99 of the inbox query (50 most urgent open cases of a team).
// Usage: dotnet run -c Release --project bench/Amends.Bench -- [Sqlite|Postgres] [cases] [due] [connection string]
var provider = args.ElementAtOrDefault(0) ?? "Sqlite";
var caseCount = int.Parse(args.ElementAtOrDefault(1) ?? "1000000", CultureInfo.InvariantCulture);
var dueCount = int.Parse(args.ElementAtOrDefault(2) ?? "10000", CultureInfo.InvariantCulture);
var connection = args.ElementAtOrDefault(3)
    ?? (provider == "Sqlite" ? $"Data Source={Path.Combine(Path.GetTempPath(), $"amends-bench-{Guid.NewGuid():N}.db")}" : throw new ArgumentException("Give a PostgreSQL connection string to an empty database."));

var app = AmendsApp.Build(
[
    $"--Database:Provider={provider}", $"--ConnectionStrings:Amends={connection}", "--Amends:Jobs:Enabled=false", "--Amends:Demo=false",
    "--Amends:Bootstrap:AdminEmail=bench@amends.test", "--Amends:Bootstrap:AdminPassword=Bench-Password-1", "--urls=http://127.0.0.1:0",
    "--Logging:LogLevel:Default=Warning",
    $"--Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command={Environment.GetEnvironmentVariable("AMENDS_BENCH_SQL_LOG") ?? "Warning"}",
], withUi: false);
await app.StartAsync();
Console.WriteLine($"{provider}: seeding {caseCount:N0} open cases, {dueCount:N0} due…");
var seed = Stopwatch.StartNew();
// A long-running worker sweeps with warm code; so does the measurement, after a warm-up sweep of its own due cases.
const int warmUp = 1000;
var teamIds = await Seed.RunAsync(app.Services, provider == "Postgres", caseCount, dueCount + warmUp);
Console.WriteLine($"  seeded in {seed.Elapsed.TotalSeconds:F1} s");

// Inbox: the 50 most urgent open cases of one team.
var me = new UserId(Guid.NewGuid());
var filter = new CaseFilter(Status: "open", TeamId: teamIds[3].ToString(), PageSize: 50);
var times = new List<double>();
for (var i = 0; i < 250; i++)
{
    await using var scope = app.Services.CreateAsyncScope();
    var list = scope.ServiceProvider.GetRequiredService<ListCases>();
    var watch = Stopwatch.StartNew();
    var page = await list.HandleAsync(filter, me, default);
    watch.Stop();
    if (!page.IsSuccess || page.Value.Items.Count != 50)
    {
        throw new InvalidOperationException("The inbox query did not return a full page.");
    }

    if (i >= 50)
    {
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
}

times.Sort();
double P(double q) => times[(int)Math.Ceiling(q * times.Count) - 1];
Console.WriteLine($"  inbox (50 most urgent open cases of a team, with capped count): p50 {P(0.50):F2} ms, p95 {P(0.95):F2} ms, p99 {P(0.99):F2} ms over {times.Count} runs");

// One sweep: claim and process everything due.
var sweeper = app.Services.GetRequiredService<DueWorkSweeper>();
var batch = int.Parse(Environment.GetEnvironmentVariable("AMENDS_BENCH_BATCH") ?? app.Configuration.GetValue("Amends:Jobs:BatchSize", 500).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
if (await sweeper.SweepOnceAsync(warmUp, default) != warmUp)
{
    throw new InvalidOperationException("The warm-up sweep did not find its due cases.");
}

var sweep = Stopwatch.StartNew();
var done = 0;
int step;
while ((step = await sweeper.SweepOnceAsync(batch, default)) > 0)
{
    done += step;
}

sweep.Stop();
if (done != dueCount)
{
    throw new InvalidOperationException($"The sweep processed {done:N0} items, not the {dueCount:N0} due.");
}

Console.WriteLine($"  sweep: {done:N0} due items claimed and processed in {sweep.Elapsed.TotalSeconds:F2} s (batches of {batch}), {done / sweep.Elapsed.TotalSeconds:N0} items/s");
await app.StopAsync();

/// <summary>Bulk data straight in SQL, copied from one template case built through the domain.</summary>
internal static class Seed
{
    public static async Task<List<System.Guid>> RunAsync(IServiceProvider services, bool postgres, int cases, int due)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var now = TimeProvider.System.GetUtcNow();
        var teams = Enumerable.Range(0, 10).Select(i => Team.Create($"Bench team {i}", now).Value).ToList();
        db.Teams.AddRange(teams);
        var customer = Customer.Register("Template customer", null, null, now).Value;
        var template = RecoveryCase.Open(customer, FailureCategory.LateDelivery, Severity.Medium, Channel.Email, "Template", null, now).Value;
        var actor = new Actor(new UserId(Guid.NewGuid()), "Bench");
        template.Acknowledge(actor, now);
        template.StartResolving(actor, now);
        template.ReconcileSla(Amends.Domain.Sla.SlaPolicy.Default, Amends.Domain.Sla.BusinessCalendar.AlwaysOpen, now);
        db.Customers.Add(customer);
        db.Cases.Add(template);
        await db.SaveChangesAsync();
        var teamIds = teams.Select(t => t.Id.Value).ToList();

        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var columns = await BulkSql.ColumnsAsync(connection, postgres, "Cases");
        var customerColumns = await BulkSql.ColumnsAsync(connection, postgres, "Customers");
        string Q(string name) => $"\"{name}\"";
        string NewId(string block, string n) => postgres
            ? $"(lpad(to_hex({n}), 8, '0') || '-0000-7000-{block}-' || lpad(to_hex({n}), 12, '0'))::uuid"
            : $"printf('%08X-0000-7000-{block}-%012X', {n}, {n})";
        string Time(string secondsExpr) => postgres
            ? $"(now() + make_interval(secs => {secondsExpr}))"
            : $"strftime('%Y-%m-%d %H:%M:%f', 'now', ({secondsExpr}) || ' seconds')";
        string Lit(System.Guid id) => postgres ? $"'{id}'::uuid" : $"'{id.ToString().ToUpperInvariant()}'";
        string Seq(int count) => postgres ? $"generate_series(1, {count}) AS s(n)" : $"(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {count}) SELECT n FROM c) AS s";

        var customerOverrides = new Dictionary<string, string>
        {
            ["Id"] = NewId("9000", "s.n % 1000"),
            ["Name"] = "'Bench customer ' || (s.n % 1000)",
            ["Email"] = "NULL",
        };
        await BulkSql.ExecAsync(connection, $"INSERT INTO {Q("Customers")} ({string.Join(", ", customerColumns.Select(Q))}) SELECT {string.Join(", ", customerColumns.Select(c => customerOverrides.GetValueOrDefault(c, "t." + Q(c))))} FROM {Q("Customers")} t, {Seq(1000)} WHERE t.{Q("Id")} = {Lit(customer.Id.Value)}");

        var resolveBy = Time($"CASE WHEN s.n <= {due} THEN -60 ELSE 3600 + (s.n % 500000) END");
        var team = "CASE s.n % 10 " + string.Join(" ", teamIds.Select((id, i) => $"WHEN {i} THEN {Lit(id)}")) + " END";
        var overrides = new Dictionary<string, string>
        {
            ["Id"] = NewId("8000", "s.n"),
            ["Number"] = $"{CaseNumber.First + 1} + s.n",
            ["CustomerId"] = NewId("9000", "s.n % 1000"),
            ["TeamId"] = team,
            ["Summary"] = "'Bench case ' || s.n",
            ["Priority"] = "1 + s.n % 4",
            ["CreatedAt"] = Time("-(s.n % 500000)"),
            ["UpdatedAt"] = Time("-(s.n % 500000)"),
            ["Sla_ResolveBy"] = resolveBy,
            ["Sla_ResolveWarnAt"] = "NULL",
            ["Sla_NextUpdateBy"] = "NULL",
            ["Sla_NextUpdateWarnAt"] = "NULL",
            ["Sla_NextCheckAt"] = resolveBy,
            ["UrgencyKey"] = resolveBy,
        };
        var batch = 200_000;
        for (var offset = 0; offset < cases; offset += batch)
        {
            var count = Math.Min(batch, cases - offset);
            var shifted = postgres ? $"generate_series({offset + 1}, {offset + count}) AS s(n)"
                : $"(WITH RECURSIVE c(n) AS (SELECT {offset + 1} UNION ALL SELECT n + 1 FROM c WHERE n < {offset + count}) SELECT n FROM c) AS s";
            await BulkSql.ExecAsync(connection, $"INSERT INTO {Q("Cases")} ({string.Join(", ", columns.Select(Q))}) SELECT {string.Join(", ", columns.Select(c => overrides.GetValueOrDefault(c, "t." + Q(c))))} FROM {Q("Cases")} t, {shifted} WHERE t.{Q("Id")} = {Lit(template.Id.Value)}");
            await BulkSql.ExecAsync(connection, $"INSERT INTO {Q("DueWork")} ({Q("Id")}, {Q("Kind")}, {Q("CaseId")}, {Q("RefId")}, {Q("DueAt")}, {Q("Attempts")}) SELECT {NewId("A000", "s.n")}, '{DueWorkKinds.SlaCheck}', {NewId("8000", "s.n")}, {Lit(System.Guid.Empty)}, {resolveBy}, 0 FROM {shifted}");
        }

        // Cases opened after the bulk load go on numbering after it.
        await BulkSql.ExecAsync(connection, postgres
            ? "SELECT setval('\"CaseNumbers\"', (SELECT MAX(\"Number\") FROM \"Cases\"))"
            : "UPDATE \"Counters\" SET \"Value\" = (SELECT MAX(\"Number\") FROM \"Cases\") WHERE \"Name\" = 'case-number'");

        // As autovacuum would soon after a bulk load: statistics, and for PostgreSQL the visibility map index-only scans need.
        await BulkSql.ExecAsync(connection, postgres ? "VACUUM ANALYZE" : "ANALYZE");
        return teamIds;
    }
}
