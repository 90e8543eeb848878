using Amends.Domain.Common;

namespace Amends.Domain.Sla;

/// <summary>A team's working hours as configured: the raw settings behind a <see cref="BusinessCalendar"/>.</summary>
public sealed record BusinessHours(string TimeZoneId, IReadOnlyList<BusinessPeriod> Periods, IReadOnlyList<DateOnly> Holidays)
{
    /// <summary>Monday to Friday, 09:00–17:00, in <paramref name="timeZoneId"/>.</summary>
    public static BusinessHours Office(string timeZoneId) => new(timeZoneId, BusinessCalendar.OfficeHours(timeZoneId).Periods, []);

    public Result<BusinessCalendar> ToCalendar() => BusinessCalendar.Create(TimeZoneId, Periods, Holidays);
}
