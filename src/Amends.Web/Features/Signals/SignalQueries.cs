using Amends.Domain.Common;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Signals;

/// <summary>Reads stored signals, for the API and the customer's page.</summary>
public sealed class SignalQueries(AmendsDbContext db)
{
    public const int TotalCap = 1000;

    public async Task<SignalDto?> GetAsync(Guid id, CancellationToken ct) =>
        await db.Signals.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } signal ? SignalDto.From(signal) : null;

    /// <summary>What is wrong with a page asked for, if anything: pages start at 1 and hold 1 to 200 (signals and incidents alike).</summary>
    public static DomainError? CheckPaging(int page, int pageSize) =>
        page < 1 || pageSize is < 1 or > 200 ? DomainError.Invalid("request.paging_invalid", "pageSize", "page starts at 1; pageSize is 1 to 200.") : null;

    /// <summary>A customer's signals newest first by when they happened (their index); otherwise newest received first.</summary>
    public async Task<Result<Paged<SignalDto>>> ListAsync(Guid? customerId, Guid? caseId, string? action, int page, int pageSize, CancellationToken ct)
    {
        if (CheckPaging(page, pageSize) is { } bad)
        {
            return bad;
        }

        var query = db.Signals.AsNoTracking();
        if (customerId is { } customer)
        {
            query = query.Where(s => s.CustomerId == new CustomerId(customer));
        }

        if (caseId is { } onCase)
        {
            query = query.Where(s => s.CaseId == new CaseId(onCase));
        }

        if (!string.IsNullOrWhiteSpace(action))
        {
            if (char.IsAsciiDigit(action.Trim()[0]) || !Enum.TryParse<SignalAction>(action, true, out var wanted))
            {
                return DomainError.Invalid("request.invalid_value", "action", "action is Opened, Attached, None or Pending.");
            }

            query = query.Where(s => s.Action == wanted);
        }

        var ordered = customerId is not null ? query.OrderByDescending(s => s.OccurredAt).ThenByDescending(s => s.Id) : query.OrderByDescending(s => s.Id);
        var total = await query.Take(TotalCap + 1).CountAsync(ct);
        var rows = await ordered.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return Result<Paged<SignalDto>>.Ok(new Paged<SignalDto>([.. rows.Select(SignalDto.From)], Math.Min(total, TotalCap), page, pageSize) { TotalCapped = total > TotalCap });
    }
}
