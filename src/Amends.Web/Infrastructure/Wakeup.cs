namespace Amends.Web.Infrastructure;

/// <summary>
/// Wakes a background worker that waits between polls: whoever makes new work calls <see cref="Notify"/> and the worker
/// looks now instead of at its next poll. Notifies while it is busy collapse into one.
/// </summary>
public sealed class Wakeup : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Notify()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    /// <summary>True when woken, false when the timeout passed.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);

    public void Dispose() => _wake.Dispose();
}

/// <summary>
/// A background worker that runs its work while there is some, then waits for a <see cref="Wakeup"/> or the poll
/// interval (<c>Amends:Jobs:PollSeconds</c>). Off when <c>Amends:Jobs:Enabled</c> is false. A failure is logged and
/// tried again after a poll: the work stays in its rows, and one failure never stops the host.
/// </summary>
public abstract class WakeableWorker(Wakeup wakeup, IConfiguration configuration, ILogger logger) : BackgroundService
{
    /// <summary>What one run does: the number of items it finished (0 when there was nothing to do).</summary>
    protected abstract Task<int> RunOnceAsync(CancellationToken ct);

    /// <summary>What the log calls this work when it fails.</summary>
    protected abstract string Work { get; }

    protected virtual bool Enabled => true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Amends:Jobs:Enabled", true) || !Enabled)
        {
            return;
        }

        var poll = TimeSpan.FromSeconds(configuration.GetValue("Amends:Jobs:PollSeconds", 5.0));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(stoppingToken) > 0)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "{Work} failed; trying again after {Poll}", Work, poll);
            }

            try
            {
                await wakeup.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
