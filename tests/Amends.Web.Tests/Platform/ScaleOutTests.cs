using System.Collections.Concurrent;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Platform;

/// <summary>Several app instances on one PostgreSQL database, as in the scale-out deployment.</summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task Two_instances_start_together_on_one_database_and_share_data_and_the_change_feed()
    {
        await using var database = await TestDatabase.PostgresAsync();
        await using var first = new TestApp("Postgres", sharedDatabase: database);
        await using var second = new SecondInstance(database);
        await Task.WhenAll(first.InitializeAsync().AsTask(), second.InitializeAsync().AsTask());

        var seenBySecond = new ConcurrentQueue<CaseChanged>();
        using var subscription = second.Services.GetRequiredService<CaseChangeFeed>().Subscribe(seenBySecond.Enqueue);

        var created = await first.Agent.CaseAsync();
        var readBySecond = await second.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{created.Id}");
        Assert.Equal(created.Summary, readBySecond.Summary);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!seenBySecond.Any(c => c.CaseId.Value == created.Id) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Contains(seenBySecond, c => c.CaseId.Value == created.Id && c.Kind == CaseChangeKind.Created);

        // Both instances open cases at once: the numbers come from one database sequence, so none is handed out twice.
        var customer = await first.Agent.CustomerAsync();
        var opened = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? first : second).Agent.CaseAsync(customerId: customer.Id)));
        Assert.Equal(20, opened.Select(c => c.Number).Distinct().Count());
    }

    /// <summary>Another instance on the same database; it finds the bootstrap already done.</summary>
    private sealed class SecondInstance(TestDatabase database) : TestApp("Postgres", sharedDatabase: database);
}
