using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Customers;

/// <summary>Customer search by name, e-mail or phone, and one customer with their case history.</summary>
public sealed class FindCustomers(AmendsDbContext db, ListCases listCases)
{
    public const int MaxPageSize = 200;

    public async Task<Result<Paged<CustomerDto>>> SearchAsync(string? q, int page, int pageSize, CancellationToken ct)
    {
        if (page < 1 || pageSize is < 1 or > MaxPageSize)
        {
            return DomainError.Invalid("paging.invalid", "pageSize", $"page starts at 1; pageSize is from 1 to {MaxPageSize}.");
        }

        // A record merged into another is not a customer of its own any more: the one kept is found by its old details.
        IQueryable<Customer> customers = db.Customers.AsNoTracking().Where(c => c.MergedIntoId == null);
        if (!string.IsNullOrWhiteSpace(q))
        {
            var text = q.Trim().ToLower();
            var digits = new string([.. text.Where(char.IsAsciiDigit)]);
            customers = customers.Where(c => c.Name.ToLower().Contains(text)
                || (c.Email != null && c.Email.Contains(text))
                || (c.Phone != null && c.Phone.Contains(text))
                || (digits.Length >= 5 && c.Phone != null && c.Phone.Replace(" ", "").Replace("-", "").Contains(digits)));
        }

        var total = await customers.CountAsync(ct);
        var items = await customers.OrderBy(c => c.Name).ThenBy(c => c.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return Result<Paged<CustomerDto>>.Ok(new Paged<CustomerDto>([.. items.Select(CustomerDto.From)], total, page, pageSize));
    }

    public async Task<Result<CustomerDetail>> GetAsync(Guid id, UserId me, CancellationToken ct)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == new CustomerId(id), ct);
        if (customer is null)
        {
            return DomainError.NotFound("customer.not_found", $"There is no customer {id}.");
        }

        var cases = await listCases.HandleAsync(new CaseFilter(CustomerId: id, PageSize: ListCases.MaxPageSize), me, ct);
        var history = cases.Value.Items.OrderByDescending(c => c.CreatedAt).ToList();
        return Result<CustomerDetail>.Ok(new CustomerDetail(CustomerDto.From(customer), history));
    }
}
