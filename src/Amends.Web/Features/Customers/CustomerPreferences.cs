using System.ComponentModel.DataAnnotations;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Customers;

/// <summary>How the customer wants to hear from us: their time zone and language (null: the team's, the playbook's), and whether automatic updates reach them.</summary>
public sealed record CustomerPreferencesRequest(
    [property: StringLength(64)] string? TimeZone,
    [property: StringLength(8)] string? Language,
    bool? AutomaticUpdates = null);

/// <summary>
/// Staff set what the customer told them: time zone, language, and automatic updates on or off. Turning updates off
/// is the same opt-out as the customer's own (kept with its time); turning them back on is for when the customer asks.
/// </summary>
public sealed class CustomerPreferences(AmendsDbContext db, TimeProvider time)
{
    public async Task<Result<CustomerDto>> SetAsync(Guid id, CustomerPreferencesRequest request, CancellationToken ct)
    {
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == new CustomerId(id), ct);
        if (customer is null || customer.ErasedAt is not null)
        {
            return DomainError.NotFound("customer.not_found", $"There is no customer {id}.");
        }

        if (customer.SetLocale(request.TimeZone, request.Language) is { } invalid)
        {
            return invalid;
        }

        switch (request.AutomaticUpdates)
        {
            case true:
                customer.OptInToUpdates();
                break;
            case false:
                customer.OptOutOfUpdates(time.GetUtcNow());
                break;
        }

        await db.SaveChangesAsync(ct);
        return Result<CustomerDto>.Ok(CustomerDto.From(customer));
    }
}
