using System.Globalization;
using System.Text;
using Amends.Domain.Common;
using Amends.Domain.Remedies;
using Amends.Web.Features.Remedies;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Reports;

/// <summary>How the goodwill cost report groups fulfilled remedies.</summary>
public enum CostGroupBy
{
    Category,
    Agent,
    Month,
    Case,
}

/// <summary>
/// One group's goodwill cost: the value of remedies fulfilled in the period (minor units), how many cases and customers
/// that was spent on, and those customers' lifetime value beside it.
/// </summary>
public sealed record CostReportRow(string Group, Guid? CaseId, int Remedies, int Cases, int Customers, long CostMinor, long AverageCostPerCaseMinor, long CustomersLifetimeValueMinor, double? CostPercentOfLifetimeValue);

public sealed record CostReportResult(DateTime From, DateTime To, CostGroupBy GroupBy, string Currency, IReadOnlyList<CostReportRow> Rows, CostReportRow Total);

/// <summary>Goodwill cost per case, category, agent (who made the offer) and month, from fulfilled remedies.</summary>
public sealed class CostReport(AmendsDbContext db, TimeProvider time, IOptions<RemedySettings> settings)
{
    public const int MaxRows = 500;

    public async Task<Result<CostReportResult>> RunAsync(DateTimeOffset? from, DateTimeOffset? to, CostGroupBy groupBy, CancellationToken ct)
    {
        var period = SlaReport.Period(from, to, TimeSpan.FromDays(365), time);
        if (!period.IsSuccess)
        {
            return period.Error!;
        }

        var (start, end) = period.Value;

        var currency = settings.Value.Currency;
        var rows = await (from o in db.Offers.AsNoTracking()
                          where o.Status == OfferStatus.Fulfilled && o.FulfilledAt >= start && o.FulfilledAt < end && o.Currency == currency
                          join c in db.Cases.AsNoTracking() on o.CaseId equals c.Id
                          join cu in db.Customers.AsNoTracking() on c.CustomerId equals cu.Id
                          select new { Offer = o, c.Category, c.Summary, cu.Id, cu.LifetimeValueMinor, cu.LifetimeValueCurrency }).ToListAsync(ct);
        var spent = rows.Select(r => new Spent(
            r.Offer.CaseId.Value, r.Summary, r.Category.ToString(), r.Offer.CreatedByName, r.Offer.FulfilledAt!.Value, r.Id.Value,
            r.Offer.Chosen?.AmountMinor ?? 0, r.LifetimeValueCurrency == currency ? r.LifetimeValueMinor : 0)).ToList();
        var groups = spent.GroupBy(s => groupBy switch
        {
            CostGroupBy.Category => s.Category,
            CostGroupBy.Agent => s.Agent,
            CostGroupBy.Month => s.FulfilledAt.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            _ => s.CaseId.ToString(),
        });
        var result = groups.Select(g => Row(groupBy == CostGroupBy.Case ? g.First().Summary : g.Key, groupBy == CostGroupBy.Case ? g.First().CaseId : null, [.. g]))
            .OrderBy(r => groupBy == CostGroupBy.Month ? r.Group : "").ThenByDescending(r => r.CostMinor).Take(MaxRows).ToList();
        return Result<CostReportResult>.Ok(new CostReportResult(start, end, groupBy, currency, result, Row("Total", null, spent)));
    }

    public static string ToCsv(CostReportResult report)
    {
        var csv = new StringBuilder();
        csv.AppendLine($"group,case_id,remedies,cases,customers,cost_minor,average_cost_per_case_minor,customers_lifetime_value_minor,cost_percent_of_lifetime_value,currency");
        foreach (var r in report.Rows.Append(report.Total))
        {
            csv.AppendLine(string.Join(',', Infrastructure.Csv.Field(r.Group), r.CaseId?.ToString() ?? "", N(r.Remedies), N(r.Cases), N(r.Customers), N(r.CostMinor),
                N(r.AverageCostPerCaseMinor), N(r.CustomersLifetimeValueMinor), r.CostPercentOfLifetimeValue?.ToString("0.##", CultureInfo.InvariantCulture) ?? "", report.Currency));
        }

        return csv.ToString();
    }

    private static CostReportRow Row(string group, Guid? caseId, IReadOnlyList<Spent> spent)
    {
        var cases = spent.Select(s => s.CaseId).Distinct().Count();
        var cost = spent.Sum(s => s.AmountMinor);
        var lifetime = spent.DistinctBy(s => s.CustomerId).Sum(s => s.LifetimeValueMinor);
        return new CostReportRow(group, caseId, spent.Count, cases, spent.Select(s => s.CustomerId).Distinct().Count(), cost,
            cases == 0 ? 0 : cost / cases, lifetime, lifetime == 0 ? null : Math.Round(100.0 * cost / lifetime, 2));
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private sealed record Spent(Guid CaseId, string Summary, string Category, string Agent, DateTime FulfilledAt, Guid CustomerId, long AmountMinor, long LifetimeValueMinor);
}
