using Amends.Bench.Shared;
using System.Data.Common;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Teams;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Load;

/// <summary>What the seed made that the load run asks for.</summary>
public sealed record Seeded(List<Guid> Teams, List<Guid> Agents, Guid HeavyCustomer, int HeavyCases, string AgentEmail, string AgentPassword,
    long SampleNumber, string SampleEmail, string SamplePhone);

/// <summary>
/// A helpdesk-like volume straight in SQL: a handful of template cases built through the domain (one per state a case
/// can be in: new, acknowledged, resolving, escalated, waiting on the customer, resolved, closed), copied N times with
/// their own number, customer, team, owner, priority, category, summary and SLA times. One customer holds 1 % of the
/// cases (10,000 at 1,000,000), so a per-request cost that grows with one customer's history shows.
/// </summary>
public static class LoadSeed
{
    public const string AgentPassword = "Load-Run-Password-1";
    private const int Customers = 2000;
    private static readonly string[] Words = ["parcel", "refund", "broken", "invoice", "courier", "charger", "booking", "outage", "screen", "delivery", "billing", "engineer"];

    public static async Task<Seeded> RunAsync(IServiceProvider services, bool postgres, int cases)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var now = TimeProvider.System.GetUtcNow();
        var teams = Enumerable.Range(0, 10).Select(i => Team.Create($"Team {i}", now).Value).ToList();
        db.Teams.AddRange(teams);
        await db.SaveChangesAsync();

        var agents = new List<AppUser>();
        for (var i = 0; i < 20; i++)
        {
            var agent = new AppUser
            {
                Id = Guid.CreateVersion7(), UserName = $"agent{i}@load.test", Email = $"agent{i}@load.test", EmailConfirmed = true,
                DisplayName = $"Agent {i}", TeamId = teams[i % teams.Count].Id, CreatedAt = now.UtcDateTime,
            };
            Check(await users.CreateAsync(agent, AgentPassword));
            Check(await users.AddToRoleAsync(agent, "Agent"));
            agents.Add(agent);
        }

        var customer = Customer.Register("Template customer", "template@load.test", "+442070000000", now).Value;
        var actor = agents[0].ToActor();
        var templates = new List<RecoveryCase>();
        RecoveryCase Template(Func<RecoveryCase, DomainError?>? step = null, bool assign = true)
        {
            var c = RecoveryCase.Open(customer, FailureCategory.LateDelivery, Severity.Medium, Channel.Email, "Template", null, now).Value;
            c.ReconcileSla(Amends.Domain.Sla.SlaPolicy.Default, Amends.Domain.Sla.BusinessCalendar.AlwaysOpen, now);
            if (assign)
            {
                Must(c.Assign(actor, teams[0].Id, actor, now));
            }

            if (step is not null)
            {
                Must(step(c));
            }

            c.ReconcileSla(Amends.Domain.Sla.SlaPolicy.Default, Amends.Domain.Sla.BusinessCalendar.AlwaysOpen, now);
            templates.Add(c);
            return c;
        }

        // Share of each state, in twentieths: 5 new (unassigned), 3 acknowledged, 4 resolving, 1 escalated, 2 waiting on
        // the customer, 1 resolved, 4 closed.
        var newCase = Template(assign: false);
        var acknowledged = Template(c => c.Acknowledge(actor, now));
        var resolving = Template(c => c.Acknowledge(actor, now) ?? c.StartResolving(actor, now));
        var escalated = Template(c => c.Acknowledge(actor, now) ?? c.StartResolving(actor, now) ?? c.Escalate(EscalationReason.OwnerAskedForHelp, "Load", actor, now));
        var waiting = Template(c => c.Acknowledge(actor, now) ?? c.StartResolving(actor, now) ?? c.WaitForCustomer(actor, now, "Photos"));
        var resolved = Template(c => c.Acknowledge(actor, now) ?? c.StartResolving(actor, now) ?? c.Resolve(actor, now, "Apologised", true));
        var closed = Template(c => c.Acknowledge(actor, now) ?? c.StartResolving(actor, now) ?? c.Resolve(actor, now, "Apologised", true) ?? c.Close(actor, now, CaseOutcome.NotRecovered, "Load"));
        var byTwentieth = new[] { newCase, newCase, newCase, newCase, newCase, acknowledged, acknowledged, acknowledged, resolving, resolving, resolving, resolving, escalated, waiting, waiting, resolved, closed, closed, closed, closed };

        db.Customers.Add(customer);
        db.Cases.AddRange(templates);
        await db.SaveChangesAsync();

        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        string Q(string name) => $"\"{name}\"";
        string NewId(string block, string n) => postgres
            ? $"(lpad(to_hex({n}), 8, '0') || '-0000-7000-{block}-' || lpad(to_hex({n}), 12, '0'))::uuid"
            : $"printf('%08X-0000-7000-{block}-%012X', {n}, {n})";
        string Time(string secondsExpr) => postgres
            ? $"(now() + make_interval(secs => {secondsExpr}))"
            : $"strftime('%Y-%m-%d %H:%M:%f', 'now', ({secondsExpr}) || ' seconds')";
        string Lit(Guid id) => postgres ? $"'{id}'::uuid" : $"'{id.ToString().ToUpperInvariant()}'";
        string Series(int from, int to) => postgres
            ? $"generate_series({from}, {to}) AS s(n)"
            : $"(WITH RECURSIVE c(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM c WHERE n < {to}) SELECT n FROM c) AS s";
        string Pick(string n, IEnumerable<string> values) => $"CASE {n} " + string.Join(" ", values.Select((v, i) => $"WHEN {i} THEN {v}")) + " END";
        string Concat(params string[] parts) => string.Join(" || ", parts);

        // Customers: "Customer 17 Parcel" and so on, each with an e-mail and phone; the heavy one is number 0.
        var customerColumns = await BulkSql.ColumnsAsync(connection, postgres, "Customers");
        string NameOf(string k) => Concat("'Customer '", postgres ? $"({k})::text" : $"({k})", "' '", Pick($"({k}) % {Words.Length}", Words.Select(w => $"'{char.ToUpperInvariant(w[0])}{w[1..]}'")));
        var customerOverrides = new Dictionary<string, string>
        {
            ["Id"] = NewId("9000", "s.n"),
            ["Name"] = NameOf("s.n"),
            ["Email"] = Concat("'customer'", postgres ? "s.n::text" : "s.n", "'@example.test'"),
            ["Phone"] = Concat("'+4420'", postgres ? "lpad(s.n::text, 8, '0')" : "printf('%08d', s.n)"),
        };
        await BulkSql.ExecAsync(connection, $"INSERT INTO {Q("Customers")} ({string.Join(", ", customerColumns.Select(Q))}) SELECT {string.Join(", ", customerColumns.Select(c => customerOverrides.GetValueOrDefault(c, "t." + Q(c))))} FROM {Q("Customers")} t, {Series(0, Customers - 1)} WHERE t.{Q("Id")} = {Lit(customer.Id.Value)}");

        var heavyEvery = 100;
        var columns = await BulkSql.ColumnsAsync(connection, postgres, "Cases");
        // Seconds from now to the running clock's due time: spread over ~4.6 days, about 5 % of them already past.
        var due = postgres ? "(((s.n::bigint * 7919) % 400000) - 20000)" : "(((s.n * 7919) % 400000) - 20000)";
        string Shifted(string column, string offset) => $"CASE WHEN t.{Q(column)} IS NULL THEN NULL ELSE {Time(offset)} END";
        var overrides = new Dictionary<string, string>
        {
            ["Id"] = NewId("8000", "s.n"),
            ["Number"] = $"{CaseNumber.First + 100} + s.n",
            ["CustomerId"] = $"CASE WHEN s.n % {heavyEvery} = 7 THEN {NewId("9000", "0")} ELSE {NewId("9000", $"1 + (s.n / 3) % {Customers - 1}")} END",
            ["CustomerName"] = $"CASE WHEN s.n % {heavyEvery} = 7 THEN {NameOf("0")} ELSE {NameOf($"1 + (s.n / 3) % {Customers - 1}")} END",
            ["TeamId"] = Pick("(s.n / 7) % 10", teams.Select(t => Lit(t.Id.Value))),
            ["OwnerId"] = $"CASE WHEN t.{Q("OwnerId")} IS NULL THEN NULL ELSE {Pick("(s.n / 20) % 20", agents.Select(a => Lit(a.Id)))} END",
            ["Summary"] = Concat(Pick($"(s.n / 5) % {Words.Length}", Words.Select(w => $"'{char.ToUpperInvariant(w[0])}{w[1..]}'")), "' problem on order '", postgres ? "s.n::text" : "s.n"),
            ["Priority"] = "1 + (s.n / 11) % 4",
            ["Severity"] = "1 + (s.n / 13) % 4",
            ["Category"] = Pick("(s.n / 17) % 8", Enum.GetNames<FailureCategory>().Select(n => $"'{n}'")),
            ["CreatedAt"] = Time("-(s.n % 500000) - 86400"),
            ["UpdatedAt"] = Time("-(s.n % 500000)"),
            ["AcknowledgedAt"] = Shifted("AcknowledgedAt", "-(s.n % 500000)"),
            ["ResolvedAt"] = Shifted("ResolvedAt", "-(s.n % 500000)"),
            ["ClosedAt"] = Shifted("ClosedAt", "-(s.n % 500000)"),
            ["EscalatedAt"] = Shifted("EscalatedAt", "-(s.n % 500000)"),
            ["Sla_AcknowledgeBy"] = Shifted("Sla_AcknowledgeBy", due),
            ["Sla_AcknowledgeWarnAt"] = Shifted("Sla_AcknowledgeWarnAt", $"{due} - 1800"),
            ["Sla_ResolveBy"] = Shifted("Sla_ResolveBy", due),
            ["Sla_ResolveWarnAt"] = Shifted("Sla_ResolveWarnAt", $"{due} - 7200"),
            ["Sla_NextUpdateBy"] = "NULL",
            ["Sla_NextUpdateWarnAt"] = "NULL",
            ["Sla_NextCheckAt"] = "NULL",
            ["UrgencyKey"] = $"CASE WHEN t.{Q("Sla_AcknowledgeBy")} IS NOT NULL OR t.{Q("Sla_ResolveBy")} IS NOT NULL THEN {Time(due)} ELSE t.{Q("UrgencyKey")} END",
            // At risk from the running clock's warning (due less 30 min or 2 h, as the warnings above), as RecoveryCase keeps it.
            ["RiskKey"] = $"CASE WHEN t.{Q("Sla_AcknowledgeBy")} IS NOT NULL THEN {Time($"{due} - 1800")} WHEN t.{Q("Sla_ResolveBy")} IS NOT NULL THEN {Time($"{due} - 7200")} ELSE t.{Q("RiskKey")} END",
            ["CreationKey"] = "NULL",
        };
        var template = Pick("s.n % 20", byTwentieth.Select(c => Lit(c.Id.Value)));
        const int batch = 200_000;
        for (var offset = 1; offset <= cases; offset += batch)
        {
            var last = Math.Min(cases, offset + batch - 1);
            await BulkSql.ExecAsync(connection, $"INSERT INTO {Q("Cases")} ({string.Join(", ", columns.Select(Q))}) SELECT {string.Join(", ", columns.Select(c => overrides.GetValueOrDefault(c, "t." + Q(c))))} FROM {Series(offset, last)} JOIN {Q("Cases")} t ON t.{Q("Id")} = {template}");
        }

        // The templates themselves are not part of the load.
        var ids = string.Join(", ", templates.Select(t => Lit(t.Id.Value)));
        await BulkSql.ExecAsync(connection, $"DELETE FROM {Q("TimelineEntries")} WHERE {Q("CaseId")} IN ({ids})");
        await BulkSql.ExecAsync(connection, $"DELETE FROM {Q("DueWork")} WHERE {Q("CaseId")} IN ({ids})");
        await BulkSql.ExecAsync(connection, $"DELETE FROM {Q("Cases")} WHERE {Q("Id")} IN ({ids})");
        await BulkSql.ExecAsync(connection, postgres
            ? "SELECT setval('\"CaseNumbers\"', (SELECT MAX(\"Number\") FROM \"Cases\"))"
            : "UPDATE \"Counters\" SET \"Value\" = (SELECT MAX(\"Number\") FROM \"Cases\") WHERE \"Name\" = 'case-number'");
        await BulkSql.ExecAsync(connection, postgres ? "VACUUM ANALYZE" : "ANALYZE");
        if (!postgres)
        {
            // Copy the bulk load out of the write-ahead log into the database and empty the log, as a quiet moment would:
            // otherwise the server starts with a gigabyte of log that readers under load never let SQLite fold back, and
            // the first commits pay for copying it.
            await BulkSql.ExecAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }

        return new Seeded(teams.Select(t => t.Id.Value).ToList(), agents.Select(a => a.Id).ToList(),
            Guid.Parse($"00000000-0000-7000-9000-000000000000"), cases / heavyEvery, agents[0].Email!, AgentPassword,
            CaseNumber.First + 100 + cases / 2, "customer17@example.test", "+442000000017");
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    private static void Must(DomainError? error)
    {
        if (error is not null)
        {
            throw new InvalidOperationException(error.Message);
        }
    }
}
