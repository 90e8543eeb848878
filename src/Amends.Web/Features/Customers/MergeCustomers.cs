using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Customers;

/// <summary>Merge <see cref="DuplicateId"/> into the customer of the route: it is the same person.</summary>
public sealed record MergeCustomersRequest(Guid? DuplicateId);

/// <summary>The customer kept, as they are now, and what moved to them.</summary>
public sealed record MergeResult(CustomerDto Customer, Guid DuplicateId, int Cases, int Signals, int Messages);

/// <summary>
/// Two customer records found to be one person become one, in one transaction on the ledger: the duplicate's cases
/// (each saying so on its timeline), signals and messages move to the customer kept, which takes the contact points it
/// lacked, the higher tier and the added lifetime value. The duplicate's record stays, marked merged and holding the
/// contact points the survivor had others of, so a signal or a message that names them is led to the survivor; searches
/// list the survivor only, and erasing the survivor erases it too.
/// </summary>
public sealed class MergeCustomers(AmendsDbContext db, Remedies.Ledger ledger)
{
    public async Task<Result<MergeResult>> HandleAsync(Guid id, MergeCustomersRequest request, Actor by, CancellationToken ct)
    {
        if (request.DuplicateId is not { } duplicateId)
        {
            return DomainError.Invalid("customer.duplicate_required", "duplicateId", "Name the duplicate customer to merge into this one (duplicateId).");
        }

        return await ledger.WriteAsync(async now =>
        {
            var survivor = await db.Customers.SingleOrDefaultAsync(c => c.Id == new CustomerId(id), ct);
            var duplicate = await db.Customers.SingleOrDefaultAsync(c => c.Id == new CustomerId(duplicateId), ct);
            if (survivor is null || duplicate is null)
            {
                return DomainError.NotFound("customer.not_found", $"There is no customer {(survivor is null ? id : duplicateId)}.", survivor is null ? null : "duplicateId");
            }

            var merge = duplicate.MergeInto(survivor, now);
            if (!merge.IsSuccess)
            {
                return merge.Error!;
            }

            // A contact point is unique: it leaves the duplicate (saved) before it joins the survivor.
            await db.SaveChangesAsync(ct);
            survivor.Absorb(merge.Value);
            var cases = await db.Cases.Where(c => c.CustomerId == duplicate.Id).ToListAsync(ct);
            foreach (var c in cases)
            {
                c.MoveToCustomer(survivor, duplicate.Name, by, now);
            }

            // The survivor, the moved cases and the ledger entry are saved by the ledger's write (a case changed meanwhile: 409, nothing kept).
            var signals = await db.Signals.Where(s => s.CustomerId == duplicate.Id).ExecuteUpdateAsync(set => set.SetProperty(s => s.CustomerId, survivor.Id), ct);
            var duplicateKey = (CustomerId?)duplicate.Id;
            var messages = await db.Outbox.Where(m => m.CustomerId == duplicateKey).ExecuteUpdateAsync(set => set.SetProperty(m => m.CustomerId, (CustomerId?)survivor.Id), ct);

            // Records merged into the duplicate before now lead to the survivor too.
            await db.Customers.Where(c => c.MergedIntoId == duplicateKey).ExecuteUpdateAsync(set => set.SetProperty(c => c.MergedIntoId, (CustomerId?)survivor.Id), ct);
            await ledger.AppendAsync("customer.merged", by, $"customer:{id}", null, null, null,
                new { duplicate = duplicateId, cases = cases.Count, signals, messages }, $"{duplicate.Name} merged into {survivor.Name}", now, ct);
            return Result<MergeResult>.Ok(new MergeResult(CustomerDto.From(survivor), duplicateId, cases.Count, signals, messages));
        }, ct);
    }
}
