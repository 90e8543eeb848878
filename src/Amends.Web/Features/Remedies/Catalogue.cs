using System.ComponentModel.DataAnnotations;
using Amends.Domain.Common;
using Amends.Domain.Playbooks;
using Amends.Domain.Remedies;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Remedies;

public sealed record CatalogueItemDto(Guid Id, RemedyType Type, string Name, long DefaultAmountMinor, string Currency, bool Active, long Version)
{
    public static CatalogueItemDto From(RemedyCatalogueItem i) => new(i.Id, i.Type, i.Name, i.DefaultAmountMinor, i.Currency, i.Active, i.Version);
}

public sealed record SaveCatalogueItemRequest(
    [property: Required] RemedyType? Type, [property: Required, StringLength(RemedyCatalogueItem.MaxNameLength)] string? Name,
    [property: Range(0, long.MaxValue)] long DefaultAmountMinor, string? Currency, bool Active = true);

/// <summary>The remedy catalogue admins keep: kinds of remedy with their usual value. Changes go on the ledger.</summary>
public sealed class Catalogue(AmendsDbContext db, Ledger ledger, Microsoft.Extensions.Options.IOptions<RemedySettings> settings)
{
    public async Task<IReadOnlyList<CatalogueItemDto>> ListAsync(bool includeInactive, CancellationToken ct) =>
        [.. (await db.RemedyCatalogue.AsNoTracking().Where(i => includeInactive || i.Active).OrderBy(i => i.Type).ThenBy(i => i.Name).ToListAsync(ct)).Select(CatalogueItemDto.From)];

    public Task<Result<CatalogueItemDto>> CreateAsync(SaveCatalogueItemRequest request, Actor by, CancellationToken ct) =>
        ledger.WriteAsync(async now =>
        {
            var created = RemedyCatalogueItem.Create(request.Type!.Value, request.Name, request.DefaultAmountMinor, request.Currency ?? settings.Value.Currency);
            if (!created.IsSuccess)
            {
                return created.Error!;
            }

            if (await NameTakenAsync(created.Value.Name, null, ct) is { } taken)
            {
                return taken;
            }

            db.RemedyCatalogue.Add(created.Value);
            var dto = CatalogueItemDto.From(created.Value);
            await ledger.AppendAsync("catalogue.created", by, $"catalogue:{dto.Id}", null, new Money(dto.DefaultAmountMinor, dto.Currency), null, dto, null, now, ct);
            return Result<CatalogueItemDto>.Ok(dto);
        }, ct);

    public Task<Result<CatalogueItemDto>> UpdateAsync(Guid id, SaveCatalogueItemRequest request, long? expectedVersion, Actor by, CancellationToken ct) =>
        ledger.WriteAsync(async now =>
        {
            var item = await db.RemedyCatalogue.SingleOrDefaultAsync(i => i.Id == id, ct);
            if (item is null)
            {
                return DomainError.NotFound("catalogue.not_found", $"There is no catalogue entry {id}.");
            }

            if (expectedVersion is { } v && v != item.Version)
            {
                return Infrastructure.ApiProblems.Stale("catalogue entry");
            }

            var before = CatalogueItemDto.From(item);
            var error = item.Change(request.Type!.Value, request.Name, request.DefaultAmountMinor, request.Currency ?? item.Currency, request.Active);
            if (error is not null)
            {
                return error;
            }

            if (await NameTakenAsync(item.Name, id, ct) is { } taken)
            {
                return taken;
            }

            var after = CatalogueItemDto.From(item);
            await ledger.AppendAsync("catalogue.changed", by, $"catalogue:{id}", null, new Money(after.DefaultAmountMinor, after.Currency), before, after, null, now, ct);
            return Result<CatalogueItemDto>.Ok(after);
        }, ct);

    /// <summary>Names are unique (a unique index backs it); a clash is the caller's field error, on create and on rename alike.</summary>
    private async Task<DomainError?> NameTakenAsync(string name, Guid? except, CancellationToken ct) =>
        await db.RemedyCatalogue.AnyAsync(i => i.Name == name && i.Id != except, ct)
            ? DomainError.Invalid("catalogue.name_taken", "name", "The catalogue already has an entry of that name.")
            : null;
}
