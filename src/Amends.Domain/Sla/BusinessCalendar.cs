using Amends.Domain.Common;

namespace Amends.Domain.Sla;

/// <summary>One opening period of a weekday, in the calendar's local time. <see cref="End"/> is after <see cref="Start"/>.</summary>
public sealed record BusinessPeriod(DayOfWeek Day, TimeOnly Start, TimeOnly End);

/// <summary>
/// When a team works: weekly periods (several a day allowed) in an IANA time zone, minus holidays. SLA clocks count only
/// time inside these periods. Business time is real elapsed time inside a period, so a period that spans a daylight
/// saving change is an hour shorter or longer, as it is on the wall clock.
/// </summary>
public sealed class BusinessCalendar
{
    /// <summary>How far ahead the calendar searches for open time before deciding it has none.</summary>
    private const int MaxDaysSearched = 3 * 366;

    private readonly Dictionary<DayOfWeek, BusinessPeriod[]> _byDay;

    private BusinessCalendar(TimeZoneInfo zone, IReadOnlyList<BusinessPeriod> periods, IReadOnlySet<DateOnly> holidays)
    {
        Zone = zone;
        Periods = periods;
        Holidays = holidays;
        _byDay = periods.GroupBy(p => p.Day).ToDictionary(g => g.Key, g => g.OrderBy(p => p.Start).ToArray());
    }

    public TimeZoneInfo Zone { get; }

    public string TimeZoneId => Zone.Id;

    public IReadOnlyList<BusinessPeriod> Periods { get; }

    public IReadOnlySet<DateOnly> Holidays { get; }

    /// <summary>Open all the time, in UTC: the fallback when a team has no calendar.</summary>
    public static BusinessCalendar AlwaysOpen { get; } = new(
        TimeZoneInfo.Utc,
        [.. Enum.GetValues<DayOfWeek>().Select(d => new BusinessPeriod(d, TimeOnly.MinValue, TimeOnly.MaxValue))],
        new HashSet<DateOnly>());

    /// <summary>Monday to Friday, 09:00–17:00, in the given zone.</summary>
    public static BusinessCalendar OfficeHours(string timeZoneId) => Create(
        timeZoneId,
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(d => new BusinessPeriod(d, new TimeOnly(9, 0), new TimeOnly(17, 0)))],
        []).Value;

    public static Result<BusinessCalendar> Create(string? timeZoneId, IEnumerable<BusinessPeriod>? periods, IEnumerable<DateOnly>? holidays)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone))
        {
            return DomainError.Invalid("calendar.time_zone_unknown", "timeZone", $"'{timeZoneId}' is not a known IANA time zone, such as Europe/Berlin.");
        }

        var list = (periods ?? []).ToList();
        if (list.Count == 0)
        {
            return DomainError.Invalid("calendar.no_periods", "periods", "A calendar needs at least one opening period.");
        }

        if (list.Any(p => p.End <= p.Start))
        {
            return DomainError.Invalid("calendar.period_invalid", "periods", "Each period must end after it starts.");
        }

        foreach (var day in list.GroupBy(p => p.Day))
        {
            var ordered = day.OrderBy(p => p.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Start < ordered[i - 1].End)
                {
                    return DomainError.Invalid("calendar.periods_overlap", "periods", $"Periods on {day.Key} overlap.");
                }
            }
        }

        return Result<BusinessCalendar>.Ok(new BusinessCalendar(zone, list, (holidays ?? []).ToHashSet()));
    }

    /// <summary>The instant at which <paramref name="businessTime"/> of open time has passed after <paramref name="start"/>.</summary>
    public DateTimeOffset Add(DateTimeOffset start, TimeSpan businessTime)
    {
        if (businessTime <= TimeSpan.Zero)
        {
            return start;
        }

        var left = businessTime;
        foreach (var (open, close) in OpenIntervalsFrom(start))
        {
            var from = open < start ? start : open;
            var available = close - from;
            if (available >= left)
            {
                return from + left;
            }

            left -= available;
        }

        throw new InvalidOperationException("The calendar has no open time in the next three years.");
    }

    /// <summary>Open time between two instants (zero when <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public TimeSpan Between(DateTimeOffset from, DateTimeOffset to)
    {
        var total = TimeSpan.Zero;
        if (to <= from)
        {
            return total;
        }

        foreach (var (open, close) in OpenIntervalsFrom(from))
        {
            if (open >= to)
            {
                break;
            }

            var start = open < from ? from : open;
            var end = close > to ? to : close;
            if (end > start)
            {
                total += end - start;
            }
        }

        return total;
    }

    /// <summary>Whether the team is open at <paramref name="instant"/>.</summary>
    public bool IsOpen(DateTimeOffset instant) =>
        OpenIntervalsFrom(instant).Take(1).Any(i => i.Open <= instant && instant < i.Close);

    /// <summary>Open intervals in UTC, in order, from the local day that contains <paramref name="start"/>.</summary>
    private IEnumerable<(DateTimeOffset Open, DateTimeOffset Close)> OpenIntervalsFrom(DateTimeOffset start)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, Zone).DateTime);
        for (var i = 0; i < MaxDaysSearched; i++, day = day.AddDays(1))
        {
            if (Holidays.Contains(day) || !_byDay.TryGetValue(day.DayOfWeek, out var periods))
            {
                continue;
            }

            foreach (var period in periods)
            {
                var open = ToInstant(day, period.Start);
                var close = period.End == TimeOnly.MaxValue ? ToInstant(day.AddDays(1), TimeOnly.MinValue) : ToInstant(day, period.End);
                if (close > start && close > open)
                {
                    yield return (open, close);
                }
            }
        }
    }

    /// <summary>Local wall-clock time to an instant. A time skipped by a DST change moves forward past the gap; an hour
    /// that happens twice counts from its first occurrence.</summary>
    private DateTimeOffset ToInstant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
