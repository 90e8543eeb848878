using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Features.Sla;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>An ETA told to the customer: what, and by when (UTC, in the future).</summary>
public sealed record MakePromiseRequest([property: Required, StringLength(Promise.MaxTextLength)] string? Text, [property: Required] DateTimeOffset? DueAt);

public sealed record PromiseDto(Guid Id, Guid CaseId, string Text, DateTime DueAt, DateTime RemindAt, DateTime MadeAt, Guid MadeBy, PromiseStatus Status, DateTime? SettledAt)
{
    public static PromiseDto From(Promise p) => new(p.Id, p.CaseId.Value, p.Text, p.DueAt, p.RemindAt, p.MadeAt, p.MadeBy.Value, p.Status, p.SettledAt);
}

/// <summary>Promises of a case: record, list, keep. Reminders and breaking come from the due-work sweep.</summary>
public sealed class Promises(AmendsDbContext db, CaseMutation mutation, SlaClocks clocks)
{
    public async Task<Result<IReadOnlyList<PromiseDto>>> ListAsync(Guid caseId, CancellationToken ct)
    {
        var id = new CaseId(caseId);
        if (!await db.Cases.AnyAsync(c => c.Id == id, ct))
        {
            return DomainError.NotFound("case.not_found", $"There is no case {caseId}.");
        }

        var promises = await db.Promises.AsNoTracking().Where(p => p.CaseId == id).OrderBy(p => p.DueAt).ToListAsync(ct);
        return Result<IReadOnlyList<PromiseDto>>.Ok([.. promises.Select(PromiseDto.From)]);
    }

    public async Task<Result<PromiseDto>> MakeAsync(Guid caseId, MakePromiseRequest request, Actor by, CaseAccess access, long? expectedVersion, CancellationToken ct)
    {
        Promise? made = null;
        var result = await mutation.ApplyAsync(caseId, expectedVersion, access, async (c, now) =>
        {
            var promise = c.MakePromise(request.Text, request.DueAt!.Value, by, now);
            if (!promise.IsSuccess)
            {
                return promise.Error;
            }

            made = promise.Value;
            db.Promises.Add(made);
            await clocks.SetAsync(DueWorkKinds.Promise, c.Id, made.Id, made.NextCheckAt, ct);
            return null;
        }, ct);
        return result.IsSuccess ? Result<PromiseDto>.Ok(PromiseDto.From(made!)) : result.Error!;
    }

    public async Task<Result<PromiseDto>> KeepAsync(Guid caseId, Guid promiseId, Actor by, CaseAccess access, long? expectedVersion, CancellationToken ct)
    {
        var promise = await db.Promises.SingleOrDefaultAsync(p => p.Id == promiseId && p.CaseId == new CaseId(caseId), ct);
        if (promise is null)
        {
            return DomainError.NotFound("promise.not_found", $"Case {caseId} has no promise {promiseId}.");
        }

        var result = await mutation.ApplyAsync(caseId, expectedVersion, access, async (c, now) =>
        {
            var error = c.KeepPromise(promise, by, now);
            await clocks.SetAsync(DueWorkKinds.Promise, c.Id, promise.Id, promise.NextCheckAt, ct);
            return error;
        }, ct);
        return result.IsSuccess ? Result<PromiseDto>.Ok(PromiseDto.From(promise)) : result.Error!;
    }
}
