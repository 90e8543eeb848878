using System.ComponentModel.DataAnnotations;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Customers;

/// <summary>
/// A new customer. E-mail is unique: registering an address that is already known is a 409 naming the existing
/// customer. <see cref="ContactPoints"/> adds other channels (SMS, chat, social handles).
/// </summary>
public sealed record CreateCustomerRequest(
    [property: Required, StringLength(Customer.MaxNameLength)] string? Name,
    [property: StringLength(254)] string? Email = null,
    [property: StringLength(32)] string? Phone = null,
    ValueTier? Tier = null,
    MoneyDto? LifetimeValue = null,
    Channel? PreferredChannel = null,
    IReadOnlyList<ContactPointDto>? ContactPoints = null,
    [property: StringLength(64)] string? TimeZone = null,
    [property: StringLength(8)] string? Language = null);

public sealed class CreateCustomer(AmendsDbContext db, TimeProvider time)
{
    public async Task<Result<CustomerDto>> HandleAsync(CreateCustomerRequest request, CancellationToken ct)
    {
        Money? lifetime = null;
        if (request.LifetimeValue is { } value)
        {
            if (!Money.IsCurrencyCode(value.Currency))
            {
                return DomainError.Invalid("money.currency_invalid", "lifetimeValue.currency", "Use a three-letter ISO 4217 code such as EUR.");
            }

            if (value.Minor < 0)
            {
                return DomainError.Invalid("customer.lifetime_value_negative", "lifetimeValue.minor", "Lifetime value cannot be negative.");
            }

            lifetime = new Money(value.Minor, value.Currency);
        }

        var registered = Customer.Register(
            request.Name,
            request.Email,
            request.Phone,
            time.GetUtcNow(),
            request.Tier ?? ValueTier.Standard,
            lifetime,
            request.PreferredChannel,
            request.ContactPoints?.Select(p => new ContactPoint(p.Channel, p.Address)));
        if (!registered.IsSuccess)
        {
            return registered.Error!;
        }

        var customer = registered.Value;
        if (customer.SetLocale(request.TimeZone, request.Language) is { } localeError)
        {
            return localeError;
        }

        if (customer.Email is { } email && await db.Customers.AnyAsync(c => c.Email == email, ct))
        {
            var existing = await db.Customers.Where(c => c.Email == email).Select(c => c.Id).FirstAsync(ct);
            return new DomainError(ErrorKind.Conflict, "customer.email_taken",
                $"Customer {existing} already has this e-mail address.", "email");
        }

        db.Customers.Add(customer);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (customer.Email is not null)
        {
            return new DomainError(ErrorKind.Conflict, "customer.email_taken", "Another customer has this e-mail address.", "email");
        }

        return Result<CustomerDto>.Ok(CustomerDto.From(customer));
    }
}
