using Amends.Domain.Common;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Jobs;

/// <summary>
/// Removes what is only kept for a while: idempotency records older than a day (a client retrying after that is
/// making a new request). Withdraws offers nobody chose on cases that closed in the background (no answer to the
/// follow-up), as a person's close does at once. Runs from the due-work loop when it is idle.
/// </summary>
public sealed class Housekeeping(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly TimeSpan IdempotencyRetention = TimeSpan.FromHours(24);

    /// <summary>Deletes expired records; returns how many.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var before = time.GetUtcNow().UtcDateTime - IdempotencyRetention;
        var removed = await db.IdempotencyRecords.Where(r => r.CreatedAt < before).ExecuteDeleteAsync(ct);
        await WithdrawOnClosedCasesAsync(scope.ServiceProvider, ct);
        TouchKeyRing(scope.ServiceProvider);
        return removed;
    }

    /// <summary>
    /// Uses the data-protection key ring once, outside any transaction, so that a new key (the first, or the next before
    /// the current one expires) is written here and not in the middle of a sweep that signs a customer's link.
    /// </summary>
    public static void TouchKeyRing(IServiceProvider services) =>
        services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>().CreateProtector("Amends.KeyRing.Touch").Protect("ready"u8.ToArray());

    /// <summary>Each closed case that still has an offer out gets it withdrawn, on the ledger; returns how many cases.</summary>
    public async Task<int> WithdrawOnClosedCasesAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<AmendsDbContext>();
        var closed = Amends.Domain.Cases.CaseStatus.Closed;
        var caseIds = await (from o in db.Offers.Where(Features.Remedies.Remedies.Unchosen)
                             join c in db.Cases on o.CaseId equals c.Id
                             where c.Status == closed
                             select c.Id).Distinct().Take(500).ToListAsync(ct);
        var ledger = services.GetRequiredService<Features.Remedies.Ledger>();
        foreach (var id in caseIds)
        {
            await ledger.WriteAsync(async now =>
            {
                var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == id, ct);
                return Result<int>.Ok(await Features.Remedies.Remedies.WithdrawUnchosenAsync(db, ledger, c, null, now, ct));
            }, ct);
        }

        return caseIds.Count;
    }
}
