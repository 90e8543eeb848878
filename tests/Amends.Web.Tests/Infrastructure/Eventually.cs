namespace Amends.Web.Tests.Infrastructure;

/// <summary>Background work (the outbox worker) finishes in its own time: read until the answer is in, or the time is up.</summary>
public static class Eventually
{
    /// <summary>Reads until <paramref name="done"/> holds or <paramref name="within"/> (20 s) passes; returns the last read, for the test to assert on.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value) || waited.Elapsed > (within ?? TimeSpan.FromSeconds(20)))
            {
                return value;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
