using Amends.Domain.Signals;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Signals;

/// <summary>
/// Takes the actions that signals still wait for: ones stored by a request whose instance stopped before it opened or
/// joined their case. Run by the background worker; safe on several instances at once (<see cref="SignalIntake.ActAsync"/>
/// acts on a signal once: its case's version and the case's creation key stop a second).
/// </summary>
public sealed class PendingSignals(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>How long a request has to act on its own signals before the worker does it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    /// <summary>Acts on up to <paramref name="batch"/> of them, riskiest first; returns how many are no longer pending (one that fails stays for the next run, without spinning).</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct, int batch = 50)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var before = time.GetUtcNow().UtcDateTime - Grace;

        // The constant (not a parameter) lets SQLite use the index kept for pending signals only.
        var ids = await db.Signals.Where(s => s.Action == SignalAction.Pending && s.DecidedAt < before)
            .OrderByDescending(s => s.Risk).Select(s => s.Id).Take(batch).ToListAsync(ct);
        var intake = scope.ServiceProvider.GetRequiredService<SignalIntake>();
        var done = 0;
        foreach (var id in ids)
        {
            if (await intake.ActAsync(id, ct) is { Action: not SignalAction.Pending })
            {
                done++;
            }
        }

        return done;
    }
}
