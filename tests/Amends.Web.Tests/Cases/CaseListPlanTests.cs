using System.Data.Common;
using Amends.Domain.Common;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Cases;

/// <summary>
/// Every list filter the API offers, and the combinations the inbox views use, read the cases table through an index,
/// never by scanning it; those that can are served in list order straight off the index, with no sort. The plans are the
/// database's own (EXPLAIN QUERY PLAN on SQLite, which without statistics plans as for a large table; EXPLAIN on
/// PostgreSQL with sequential scans priced out, as a table of a million rows would), of the exact commands the list runs.
/// A new filter or view that would scan has to show up here first.
/// </summary>
public abstract class CaseListPlanTests(TestApp app)
{
    private static readonly Guid Someone = Guid.CreateVersion7();

    public static TheoryData<string, bool> Filters => new()
    {
        // name, whether the page must come off an index in list order without a sort
        { "none", true },
        { "status=open", true },
        { "status=New", true },
        { "status=Closed", true },
        { "status=New,Acknowledged", false },
        { "team+open", true },
        { "team+New", true },
        { "owner+open", true },
        { "owner+Resolving", true },
        { "owner", true },
        { "unassigned+open", true },
        { "me+open", false },
        { "priority=Urgent", true },
        { "priority=Urgent+open", true },
        { "customer", true },
        { "customer+open", true },
        { "sla=breached", true },
        { "team+sla=breached", true },
        { "owner+sla=at-risk", false },
        { "escalated", false },
        { "team+escalated", false },
        { "q=number", false },
        { "q=words", false },
        { "team+q=words", false },
        { "q=email", false },
        { "q=email of a customer", true },
        { "q=phone", false },
        { "detected", true },
        { "detected+open", true },
        { "sort=risk", true },
        { "sort=risk+open", true },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task The_list_reads_an_index_for(string name, bool inListOrder)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var list = scope.ServiceProvider.GetRequiredService<ListCases>();
        var customerEmail = name == "q=email of a customer" ? (await app.Agent.CustomerAsync()).Email : null;
        var query = await list.QueryAsync(FilterFor(name, customerEmail), new UserId(Someone), TestContext.Current.CancellationToken);
        Assert.True(query.IsSuccess, query.Error?.Message);
        var (filtered, ordered) = query.Value;

        var page = await PlanAsync(db, ordered.Skip(0).Take(50).CreateDbCommand());
        var count = await PlanAsync(db, filtered.Take(ListCases.TotalCap + 1).CreateDbCommand());

        Assert.False(ScansCases(db, page), $"{name} scans the cases table:\n{string.Join('\n', page)}");

        // With no filter at all, the first 1,001 rows of the table are the cheapest way to count to the cap.
        if (name != "none")
        {
            Assert.False(ScansCases(db, count), $"{name} scans the cases table to count:\n{string.Join('\n', count)}");
        }

        if (inListOrder)
        {
            Assert.False(Sorts(db, page), $"{name} sorts instead of reading an index in list order:\n{string.Join('\n', page)}");
        }
    }

    private CaseFilter FilterFor(string name, string? customerEmail)
    {
        var team = app.Team.Id.ToString();
        var owner = app.AgentUser.Id.ToString();
        return name switch
        {
            "none" => new CaseFilter(),
            "status=open" => new CaseFilter(Status: "open"),
            "status=New" => new CaseFilter(Status: "New"),
            "status=Closed" => new CaseFilter(Status: "Closed"),
            "status=New,Acknowledged" => new CaseFilter(Status: "New,Acknowledged"),
            "team+open" => new CaseFilter(Status: "open", TeamId: team),
            "team+New" => new CaseFilter(Status: "New", TeamId: team),
            "owner+open" => new CaseFilter(Status: "open", OwnerId: owner),
            "owner+Resolving" => new CaseFilter(Status: "Resolving", OwnerId: owner),
            "owner" => new CaseFilter(OwnerId: owner),
            "unassigned+open" => new CaseFilter(Status: "open", OwnerId: "none"),
            "me+open" => new CaseFilter(Status: "open", OwnerId: "me"),
            "priority=Urgent" => new CaseFilter(Priority: "Urgent"),
            "priority=Urgent+open" => new CaseFilter(Status: "open", Priority: "Urgent"),
            "customer" => new CaseFilter(CustomerId: Someone),
            "customer+open" => new CaseFilter(Status: "open", CustomerId: Someone),
            "sla=breached" => new CaseFilter(Sla: "breached"),
            "team+sla=breached" => new CaseFilter(Sla: "breached", TeamId: team),
            "owner+sla=at-risk" => new CaseFilter(Sla: "at-risk", OwnerId: owner),
            "escalated" => new CaseFilter(Escalated: true),
            "team+escalated" => new CaseFilter(Escalated: true, TeamId: team),
            "q=number" => new CaseFilter(Q: "AM-10423"),
            "q=words" => new CaseFilter(Q: "broken kett"),
            "team+q=words" => new CaseFilter(Q: "courier", TeamId: team),
            "q=email" => new CaseFilter(Q: "someone@example.com"),
            "q=email of a customer" => new CaseFilter(Q: customerEmail),
            "q=phone" => new CaseFilter(Q: "+44 20 7946 0958"),
            "detected" => new CaseFilter(Detected: true),
            "detected+open" => new CaseFilter(Status: "open", Detected: true),
            "sort=risk" => new CaseFilter(Sort: "risk"),
            "sort=risk+open" => new CaseFilter(Status: "open", Sort: "risk"),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such filter"),
        };
    }

    private static async Task<List<string>> PlanAsync(AmendsDbContext db, DbCommand command)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync();
        }

        command.Connection = connection;
        if (db.IsPostgres)
        {
            // In a million-row table a sequential scan, or sorting the matches, costs far more than reading an index in
            // order; with the few rows here the planner would rightly prefer either, so price both out to see what the
            // indexes give. What still scans or sorts has no index to do otherwise.
            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off; SET enable_sort = off");
        }

        command.CommandText = (db.IsPostgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + command.CommandText;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(db.IsPostgres ? reader.GetString(0) : reader.GetString(3));
        }

        return lines;
    }

    // SQLite says "SCAN c" for a table scan and "SCAN c USING INDEX …" for an index read in order; PostgreSQL says
    // "Seq Scan on "Cases"".
    private static bool ScansCases(AmendsDbContext db, List<string> plan) => db.IsPostgres
        ? plan.Any(l => l.Contains("Seq Scan on \"Cases\"", StringComparison.Ordinal) || l.Contains("Seq Scan on \"Customers\"", StringComparison.Ordinal))
        : plan.Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^SCAN [A-Za-z0-9_]+$"));

    private static bool Sorts(AmendsDbContext db, List<string> plan) => db.IsPostgres
        ? plan.Any(l => l.TrimStart(' ', '-', '>').StartsWith("Sort", StringComparison.Ordinal) || l.Contains("Incremental Sort", StringComparison.Ordinal))
        : plan.Any(l => l.Contains("TEMP B-TREE FOR ORDER BY", StringComparison.Ordinal) || l.Contains("TEMP B-TREE FOR RIGHT PART OF ORDER BY", StringComparison.Ordinal));
}

[Collection(SqliteCollection.Name)]
public sealed class CaseListPlanTestsOnSqlite(SqliteApp app) : CaseListPlanTests(app);

[Collection(PostgresCollection.Name)]
public sealed class CaseListPlanTestsOnPostgres(PostgresApp app) : CaseListPlanTests(app);
