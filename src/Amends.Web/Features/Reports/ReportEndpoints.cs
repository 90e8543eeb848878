using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Amends.Web.Features.Reports;

public static class ReportEndpoints
{
    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization(Policies.Supervisor);

        reports.MapGet("/sla", async Task<Results<Ok<SlaReportResult>, FileContentHttpResult, ProblemHttpResult>> (
                SlaReport report, HttpContext http, CancellationToken ct, DateTimeOffset? from = null, DateTimeOffset? to = null,
                SlaGroupBy groupBy = SlaGroupBy.None, string? format = null) =>
            {
                var result = await report.RunAsync(from, to, groupBy, ct);
                if (!result.IsSuccess)
                {
                    return result.Error!.ToProblem();
                }

                return WantsCsv(http, format)
                    ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(SlaReport.ToCsv(result.Value)), "text/csv; charset=utf-8",
                        $"sla-{result.Value.From:yyyyMMdd}-{result.Value.To:yyyyMMdd}-{result.Value.GroupBy.ToString().ToLowerInvariant()}.csv")
                    : TypedResults.Ok(result.Value);
            })
            .WithName("SlaReport")
            .WithSummary("SLA compliance (share acknowledged and resolved on time), median and p90 times, promises kept; JSON, or CSV with format=csv or Accept: text/csv");

        reports.MapGet("/cost", async Task<Results<Ok<CostReportResult>, FileContentHttpResult, ProblemHttpResult>> (
                CostReport report, HttpContext http, CancellationToken ct, DateTimeOffset? from = null, DateTimeOffset? to = null,
                CostGroupBy groupBy = CostGroupBy.Category, string? format = null) =>
            {
                var result = await report.RunAsync(from, to, groupBy, ct);
                if (!result.IsSuccess)
                {
                    return result.Error!.ToProblem();
                }

                return WantsCsv(http, format)
                    ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(CostReport.ToCsv(result.Value)), "text/csv; charset=utf-8",
                        $"goodwill-cost-{result.Value.From:yyyyMMdd}-{result.Value.To:yyyyMMdd}-{result.Value.GroupBy.ToString().ToLowerInvariant()}.csv")
                    : TypedResults.Ok(result.Value);
            })
            .WithName("CostReport")
            .WithSummary("Goodwill cost of fulfilled remedies per category, agent, month or case, beside the customers' lifetime value; JSON, or CSV with format=csv");

        return app;
    }

    /// <summary>CSV when asked for with <c>format=csv</c> or <c>Accept: text/csv</c>, else JSON.</summary>
    private static bool WantsCsv(HttpContext http, string? format) =>
        string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
        || http.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase);
}
