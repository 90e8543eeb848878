using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Sla;
using Amends.Web.Features.Sla;
using Amends.Web.Jobs;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Amends.Web.Tests.Jobs;

/// <summary>Two app instances on one PostgreSQL database sharing the due work: every item is done exactly once.</summary>
public sealed class SweepScaleOutTests
{
    private static readonly Dictionary<string, string?> NoBackgroundWork = new() { ["Amends:Jobs:Enabled"] = "false" };

    [Fact]
    public async Task Two_hosts_sweeping_together_send_each_of_1000_due_follow_ups_exactly_once()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var database = await TestDatabase.PostgresAsync();
        await using var first = new TestApp("Postgres", sharedDatabase: database, time: clock, settings: NoBackgroundWork);
        await using var second = new TestApp("Postgres", sharedDatabase: database, time: clock, settings: NoBackgroundWork);
        await first.InitializeAsync();
        await second.InitializeAsync();
        var ids = await SeedResolvedCasesAsync(first, 1000, clock.GetUtcNow().AddDays(-4));

        var ct = TestContext.Current.CancellationToken;
        async Task<int> DrainAsync(TestApp app)
        {
            var sweeper = app.Services.GetRequiredService<DueWorkSweeper>();
            var total = 0;
            int done;
            while ((done = await sweeper.SweepOnceAsync(100, ct)) > 0 || await AnyDueAsync(app))
            {
                total += done;
            }

            return total;
        }

        var counts = await Task.WhenAll(DrainAsync(first), DrainAsync(second));

        Assert.Equal(1000, counts.Sum());
        Assert.True(counts.All(c => c > 0), $"Both hosts should have taken part: {string.Join(", ", counts)}");
        await using var scope = first.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var caseIds = ids.Select(i => new CaseId(i)).ToList();
        var sent = await db.TimelineEntries.Where(e => caseIds.Contains(e.CaseId) && e.Kind == TimelineEntryKind.FollowUpSent)
            .GroupBy(e => e.CaseId).Select(g => g.Count()).ToListAsync(ct);
        Assert.Equal(1000, sent.Count);
        Assert.All(sent, n => Assert.Equal(1, n));
        Assert.All(await db.Cases.Where(c => caseIds.Contains(c.Id)).Select(c => c.FollowUpsSent).ToListAsync(ct), n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Work_claimed_by_a_host_that_stopped_is_done_by_another_once_the_lease_runs_out()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var database = await TestDatabase.PostgresAsync();
        await using var survivor = new TestApp("Postgres", sharedDatabase: database, time: clock, settings: NoBackgroundWork);
        await survivor.InitializeAsync();
        var ids = await SeedResolvedCasesAsync(survivor, 50, clock.GetUtcNow().AddDays(-4));
        var ct = TestContext.Current.CancellationToken;

        await using (var doomed = new TestApp("Postgres", sharedDatabase: database, time: clock, settings: NoBackgroundWork))
        {
            await doomed.InitializeAsync();

            // The doomed host claims a batch and stops before completing it.
            var claimed = await doomed.Services.GetRequiredService<DueWorkSweeper>().ClaimAsync(30, Guid.NewGuid(), clock.GetUtcNow(), ct);
            Assert.Equal(30, claimed.Count);
        }

        var sweeper = survivor.Services.GetRequiredService<DueWorkSweeper>();
        Assert.Equal(20, await sweeper.SweepOnceAsync(500, ct));
        Assert.Equal(0, await sweeper.SweepOnceAsync(500, ct));

        clock.Advance(DueWorkSweeper.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(30, await sweeper.SweepOnceAsync(500, ct));

        await using var scope = survivor.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var caseIds = ids.Select(i => new CaseId(i)).ToList();
        Assert.All(await db.Cases.Where(c => caseIds.Contains(c.Id)).Select(c => c.FollowUpsSent).ToListAsync(ct), n => Assert.Equal(1, n));
    }

    private static async Task<bool> AnyDueAsync(TestApp app)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        return await db.DueWork.AnyAsync(w => w.Kind == DueWorkKinds.FollowUp && w.DueAt <= now);
    }

    /// <summary>Resolved cases whose satisfaction check is due now, written straight through the domain.</summary>
    private static async Task<List<Guid>> SeedResolvedCasesAsync(TestApp app, int count, DateTimeOffset resolvedAt)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var clocks = scope.ServiceProvider.GetRequiredService<SlaClocks>();
        var agent = new Actor(new UserId(app.AgentUser.Id), app.AgentUser.DisplayName);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var customer = Customer.Register($"Bulk {i}", null, null, resolvedAt.AddDays(-1)).Value;
            var c = RecoveryCase.Open(customer, FailureCategory.WrongOrder, Severity.Low, Channel.Email, "Bulk case", null, resolvedAt.AddHours(-2)).Value;
            c.Acknowledge(agent, resolvedAt.AddHours(-1));
            c.StartResolving(agent, resolvedAt.AddHours(-1));
            c.Resolve(agent, resolvedAt, "Sorted", apologyOnly: true);
            c.ReconcileSla(SlaPolicy.Default, BusinessCalendar.AlwaysOpen, resolvedAt);
            db.Customers.Add(customer);
            db.Cases.Add(c);
            await clocks.ScheduleAsync(c, TestContext.Current.CancellationToken);
            ids.Add(c.Id.Value);
        }

        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return ids;
    }
}
