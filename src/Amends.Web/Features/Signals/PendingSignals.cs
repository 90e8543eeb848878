using Amends.Domain.Signals;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Signals;

/// <summary>
/// Takes the actions that stored signals wait for: those of a batch (which answers at once with <c>Pending</c>), and
/// those a request stored and could not finish because its instance stopped. Each signal is claimed before it is acted
/// on, so several instances never act on one twice, and one that fails is tried again after <see cref="Grace"/>.
/// </summary>
public sealed class PendingSignals(IServiceScopeFactory scopes, TimeProvider time) : IDisposable
{
    /// <summary>How long a claim (or a single request acting on its own signal) holds before another may take it over.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    /// <summary>Wakes the worker when a batch leaves new pending work.</summary>
    public Wakeup Wakeup { get; } = new();

    /// <summary>There is new pending work: the worker looks now instead of at its next poll.</summary>
    public void Notify() => Wakeup.Notify();

    /// <summary>Acts on up to <paramref name="batch"/> of them, riskiest first; returns how many are no longer pending (one that fails stays for the next run, without spinning).</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct, int batch = 100)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var before = now - Grace;

        // The constant (not a parameter) lets SQLite use the index kept for pending signals only.
        var ids = await db.Signals.Where(s => s.Action == SignalAction.Pending && (s.DecidedAt == null || s.DecidedAt < before))
            .OrderByDescending(s => s.Risk).Select(s => s.Id).Take(batch).ToListAsync(ct);
        var intake = scope.ServiceProvider.GetRequiredService<SignalIntake>();
        var done = 0;
        foreach (var id in ids)
        {
            // The claim: only the instance whose update finds it unclaimed (or its claim lapsed) acts on it.
            var claimed = await db.Signals.Where(s => s.Id == id && s.Action == SignalAction.Pending && (s.DecidedAt == null || s.DecidedAt < before))
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.DecidedAt, now), ct);
            if (claimed == 1 && await intake.ActAsync(id, ct) is { Action: not SignalAction.Pending })
            {
                done++;
            }
        }

        return done;
    }

    public void Dispose() => Wakeup.Dispose();
}

/// <summary>Runs <see cref="PendingSignals"/> while there is work, then waits for a batch to wake it or the poll interval.</summary>
internal sealed class PendingSignalWorker(PendingSignals signals, IConfiguration configuration, ILogger<PendingSignalWorker> logger)
    : WakeableWorker(signals.Wakeup, configuration, logger)
{
    protected override string Work => "Acting on pending signals";

    protected override Task<int> RunOnceAsync(CancellationToken ct) => signals.RunOnceAsync(ct);
}
