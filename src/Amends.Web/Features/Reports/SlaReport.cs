using System.Globalization;
using System.Text;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Reports;

/// <summary>How the SLA report groups cases.</summary>
public enum SlaGroupBy
{
    None,
    Team,
    Agent,
    Month,
    Week,
    Day,
}

/// <summary>
/// One group's SLA figures. Cases counted are those opened in the period. "On time" percentages are of the cases whose
/// clock finished (acknowledged, resolved); times are calendar minutes from opening; promises are those made on the cases.
/// </summary>
public sealed record SlaReportRow(
    string Group,
    int Cases,
    int Acknowledged,
    int AcknowledgedOnTime,
    double? AcknowledgedOnTimePercent,
    double? MedianMinutesToAcknowledge,
    double? P90MinutesToAcknowledge,
    int Resolved,
    int ResolvedOnTime,
    double? ResolvedOnTimePercent,
    double? MedianMinutesToResolve,
    double? P90MinutesToResolve,
    int PromisesMade,
    int PromisesKept,
    int PromisesBroken,
    double? PromisesKeptPercent,
    int FollowUpAnswersByCustomers = 0,
    int FollowUpAnswersRecordedByStaff = 0);

public sealed record SlaReportResult(DateTime From, DateTime To, SlaGroupBy GroupBy, IReadOnlyList<SlaReportRow> Rows, SlaReportRow Total);

public sealed class SlaReport(AmendsDbContext db, TimeProvider time)
{
    public const int MaxDays = 731;

    /// <summary>A report's period in UTC: <paramref name="to"/> defaults to now, <paramref name="from"/> to <paramref name="span"/> before it.</summary>
    public static Result<(DateTime From, DateTime To)> Period(DateTimeOffset? from, DateTimeOffset? to, TimeSpan span, TimeProvider time)
    {
        var end = (to ?? time.GetUtcNow()).UtcDateTime;
        var start = from?.UtcDateTime ?? end - span;
        if (start >= end)
        {
            return DomainError.Invalid("report.period_invalid", "from", "from must be before to.");
        }

        return (end - start).TotalDays > MaxDays
            ? DomainError.Invalid("report.period_too_long", "from", $"A report covers at most {MaxDays} days.")
            : Result<(DateTime, DateTime)>.Ok((start, end));
    }

    public async Task<Result<SlaReportResult>> RunAsync(DateTimeOffset? from, DateTimeOffset? to, SlaGroupBy groupBy, CancellationToken ct)
    {
        var period = Period(from, to, TimeSpan.FromDays(30), time);
        if (!period.IsSuccess)
        {
            return period.Error!;
        }

        var (start, end) = period.Value;

        var cases = await db.Cases.AsNoTracking()
            .Where(c => c.CreatedAt >= start && c.CreatedAt < end)
            .Select(c => new Item(c.Id, c.CreatedAt, c.AcknowledgedAt, c.ResolvedAt, c.TeamId, c.OwnerId, c.Sla.AcknowledgedOnTime, c.Sla.ResolvedOnTime,
                c.FollowUpScore != null, c.FollowUpRecordedBy != null))
            .ToListAsync(ct);
        var ids = cases.Select(c => c.Id).ToList();
        var promises = await db.Promises.AsNoTracking().Where(p => ids.Contains(p.CaseId)).Select(p => new { p.CaseId, p.Status }).ToListAsync(ct);
        var promisesByCase = promises.GroupBy(p => p.CaseId).ToDictionary(g => g.Key, g => g.Select(p => p.Status).ToList());
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);

        string Key(DateTime created, TeamId? team, UserId? owner) => groupBy switch
        {
            SlaGroupBy.Team => team is { } t ? teams.GetValueOrDefault(t, "(unknown team)") : "(no team)",
            SlaGroupBy.Agent => owner is { } o ? users.GetValueOrDefault(o.Value, "(unknown)") : "(unassigned)",
            SlaGroupBy.Month => created.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            SlaGroupBy.Week => ISOWeek.GetYear(created).ToString(CultureInfo.InvariantCulture) + "-W" + ISOWeek.GetWeekOfYear(created).ToString("00", CultureInfo.InvariantCulture),
            SlaGroupBy.Day => created.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => "All",
        };

        SlaReportRow Row(string group, IEnumerable<Item> rows)
        {
            var list = rows.ToList();
            var ack = list.Where(c => c.AcknowledgedAt != null).ToList();
            var res = list.Where(c => c.ResolvedAt != null).ToList();
            var ackMinutes = ack.Select(c => (c.AcknowledgedAt!.Value - c.CreatedAt).TotalMinutes).ToList();
            var resMinutes = res.Select(c => (c.ResolvedAt!.Value - c.CreatedAt).TotalMinutes).ToList();
            var made = list.SelectMany(c => promisesByCase.GetValueOrDefault(c.Id) ?? []).ToList();
            var kept = made.Count(s => s == PromiseStatus.Kept);
            var broken = made.Count(s => s == PromiseStatus.Broken);
            var ackOnTime = ack.Count(c => c.AcknowledgedOnTime == true);
            var resOnTime = res.Count(c => c.ResolvedOnTime == true);
            return new SlaReportRow(
                group, list.Count,
                ack.Count, ackOnTime, Percent(ackOnTime, ack.Count), Quantile(ackMinutes, 0.5), Quantile(ackMinutes, 0.9),
                res.Count, resOnTime, Percent(resOnTime, res.Count), Quantile(resMinutes, 0.5), Quantile(resMinutes, 0.9),
                made.Count, kept, broken, Percent(kept, kept + broken),

                // An answer staff recorded on the customer's behalf is counted apart from the customer's own.
                list.Count(c => c.Answered && !c.RecordedByStaff), list.Count(c => c.Answered && c.RecordedByStaff));
        }

        var rows = cases.GroupBy(c => Key(c.CreatedAt, c.TeamId, c.OwnerId))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Row(g.Key, g))
            .ToList();
        return Result<SlaReportResult>.Ok(new SlaReportResult(start, end, groupBy, rows, Row("Total", cases)));
    }

    /// <summary>The report as CSV (RFC 4180), one row per group and a total row.</summary>
    public static string ToCsv(SlaReportResult report)
    {
        var csv = new StringBuilder();
        csv.AppendLine("group,cases,acknowledged,acknowledged_on_time,acknowledged_on_time_pct,median_minutes_to_acknowledge,p90_minutes_to_acknowledge,"
            + "resolved,resolved_on_time,resolved_on_time_pct,median_minutes_to_resolve,p90_minutes_to_resolve,promises_made,promises_kept,promises_broken,promises_kept_pct,"
            + "follow_up_answers_by_customers,follow_up_answers_recorded_by_staff");
        foreach (var r in report.Rows.Append(report.Total))
        {
            csv.AppendLine(string.Join(",",
                Field(r.Group), N(r.Cases), N(r.Acknowledged), N(r.AcknowledgedOnTime), D(r.AcknowledgedOnTimePercent), D(r.MedianMinutesToAcknowledge), D(r.P90MinutesToAcknowledge),
                N(r.Resolved), N(r.ResolvedOnTime), D(r.ResolvedOnTimePercent), D(r.MedianMinutesToResolve), D(r.P90MinutesToResolve),
                N(r.PromisesMade), N(r.PromisesKept), N(r.PromisesBroken), D(r.PromisesKeptPercent),
                N(r.FollowUpAnswersByCustomers), N(r.FollowUpAnswersRecordedByStaff)));
        }

        return csv.ToString();
    }

    /// <summary>Nearest-rank quantile; null for no data.</summary>
    public static double? Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var rank = Math.Max(1, (int)Math.Ceiling(q * sorted.Count));
        return Math.Round(sorted[rank - 1], 1);
    }

    private sealed record Item(CaseId Id, DateTime CreatedAt, DateTime? AcknowledgedAt, DateTime? ResolvedAt, TeamId? TeamId, UserId? OwnerId,
        bool? AcknowledgedOnTime, bool? ResolvedOnTime, bool Answered, bool RecordedByStaff);

    private static double? Percent(int part, int whole) => whole == 0 ? null : Math.Round(100.0 * part / whole, 1);

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string D(double? d) => d?.ToString("0.#", CultureInfo.InvariantCulture) ?? "";

    private static string Field(string text) => Infrastructure.Csv.Field(text);
}
