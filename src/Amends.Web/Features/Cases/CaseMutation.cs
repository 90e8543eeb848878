using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>
/// The shared shape of every change to a case: load it, check who may (<see cref="CaseAccess"/>), check the caller's version, let the domain apply the change,
/// save with the version as concurrency token (a stale write is a 409), tell the change feed, return the new state.
/// </summary>
public sealed class CaseMutation(AmendsDbContext db, TimeProvider time, CaseChangeFeed feed, CaseReader reader, Sla.SlaClocks clocks, Remedies.Ledger ledger)
{
    public async Task<Result<CaseDetail>> ApplyAsync(
        Guid id,
        long? expectedVersion,
        CaseAccess access,
        Func<RecoveryCase, DateTimeOffset, Task<DomainError?>> change,
        CancellationToken ct)
    {
        // A caller who named no version asked for the change on the case as it is: when another change (a delivery
        // report, the sweep, a colleague) commits between our read and our write, the change is applied again to the
        // fresh case rather than refused. A caller who sent If-Match gets the 409, as they asked. So does one that
        // tracks work of its own in this context (intake storing a message beside it): clearing it would lose that.
        var retry = expectedVersion is null && !db.ChangeTracker.Entries().Any();
        for (var attempt = 1; ; attempt++)
        {
            var result = await ApplyOnceAsync(id, expectedVersion, access, change, ct);
            if (!retry || attempt == 5 || result.Error is not { Code: "concurrency.stale" })
            {
                return result;
            }

            db.ChangeTracker.Clear();
        }
    }

    private async Task<Result<CaseDetail>> ApplyOnceAsync(
        Guid id,
        long? expectedVersion,
        CaseAccess access,
        Func<RecoveryCase, DateTimeOffset, Task<DomainError?>> change,
        CancellationToken ct)
    {
        var recoveryCase = await db.Cases.SingleOrDefaultAsync(c => c.Id == new CaseId(id), ct);
        if (recoveryCase is null)
        {
            return DomainError.NotFound("case.not_found", $"There is no case {id}.");
        }

        if (access.Check(recoveryCase) is { } forbidden)
        {
            return forbidden;
        }

        if (expectedVersion is { } expected && expected != recoveryCase.Version)
        {
            return ApiProblems.Stale("case");
        }

        var versionBefore = recoveryCase.Version;
        var wasClosed = recoveryCase.Status == CaseStatus.Closed;
        var now = time.GetUtcNow();
        var error = await change(recoveryCase, now);
        if (error is not null)
        {
            return error;
        }

        if (recoveryCase.Version != versionBefore)
        {
            await clocks.ReconcileAsync(recoveryCase, now, ct);
            var closing = !wasClosed && recoveryCase.Status == CaseStatus.Closed;
            if (await SaveAsync(recoveryCase, closing, ct) is { } failed)
            {
                return failed;
            }

            await feed.PublishAsync(new CaseChanged(recoveryCase.Id, CaseChangeKind.Updated, recoveryCase.TeamId, recoveryCase.OwnerId));
        }

        return await reader.GetAsync(id, ct);
    }

    public Task<Result<CaseDetail>> ApplyAsync(Guid id, long? expectedVersion, CaseAccess access, Func<RecoveryCase, DateTimeOffset, DomainError?> change, CancellationToken ct) =>
        ApplyAsync(id, expectedVersion, access, (c, now) => Task.FromResult(change(c, now)), ct);

    /// <summary>
    /// Saves the change. A case that closes with offers nobody chose withdraws them: a ledger change, so the case's change
    /// and the withdrawals commit together under the ledger's lock. Null when saved, else why not.
    /// </summary>
    private async Task<DomainError?> SaveAsync(RecoveryCase recoveryCase, bool closing, CancellationToken ct)
    {
        if (closing && await db.Offers.Where(Remedies.Remedies.Unchosen).AnyAsync(o => o.CaseId == recoveryCase.Id, ct))
        {
            var withdrawn = await ledger.WriteAsync(async at =>
                Result<int>.Ok(await Remedies.Remedies.WithdrawUnchosenAsync(db, ledger, recoveryCase, null, at, ct)), ct);
            return withdrawn.Error;
        }

        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException)
        {
            // The version check lost a race, or so did the schedule row written beside it: either way another
            // change got there first.
            return ApiProblems.Stale("case");
        }
    }

    /// <summary>Reads a version from an <c>If-Match</c> header: <c>"7"</c>, <c>W/"7"</c> or <c>7</c>. Null when absent or <c>*</c>.</summary>
    public static Result<long?> ParseIfMatch(string? ifMatch)
    {
        if (string.IsNullOrWhiteSpace(ifMatch) || ifMatch.Trim() == "*")
        {
            return Result<long?>.Ok(null);
        }

        var text = ifMatch.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        return long.TryParse(text.Trim('"'), out var version)
            ? Result<long?>.Ok(version)
            : DomainError.Invalid("concurrency.if_match_invalid", "If-Match", "If-Match must carry the case's version, as in \"7\".");
    }
}
