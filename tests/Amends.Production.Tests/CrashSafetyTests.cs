using Amends.Reliability;

namespace Amends.Production.Tests;

/// <summary>
/// kill -9 of the real server in the middle of a burst of creates with client retries (bench/Amends.Reliability runs the
/// same, larger, for docs/reliability.md). SQLite only: the idempotency path is the same code on PostgreSQL, and the
/// suite's time matters.
/// </summary>
public sealed class CrashSafetyTests(PublishedApp published)
{
    [Fact]
    public async Task Kill_9_during_a_burst_of_creates_loses_nothing_duplicates_nothing_and_leaves_no_key_stuck()
    {
        var options = new CrashRunOptions(published.Directory, published.NewWorkDirectory("crash"), Requests: 300, Clients: 8, Kills: 2);

        var result = await CrashRun.RunAsync(options, ct: TestContext.Current.CancellationToken);

        Assert.True(result.RequestsCaughtByAKill > 0, "No request was in flight at a kill, so the run proved nothing: " + result);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicated);
        Assert.Equal(0, result.StuckKeys);
        Assert.Equal(options.Requests, result.Created);
        Assert.Empty(result.Errors);
    }
}
