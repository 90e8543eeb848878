using Amends.Domain.Sla;

namespace Amends.Domain.Tests.Sla;

public sealed class BusinessCalendarTest
{
    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static BusinessCalendar Calendar(string zone, IEnumerable<BusinessPeriod> periods, params DateOnly[] holidays) =>
        BusinessCalendar.Create(zone, periods, holidays).Value;

    private static IEnumerable<BusinessPeriod> NineToFive() => Weekdays.Select(d => new BusinessPeriod(d, new TimeOnly(9, 0), new TimeOnly(17, 0)));

    /// <summary>A local wall-clock time in <paramref name="zone"/> as an instant.</summary>
    private static DateTimeOffset Local(string zone, int y, int mo, int d, int h, int mi = 0)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var local = new DateTime(y, mo, d, h, mi, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, tz.GetUtcOffset(local));
    }

    [Fact]
    public void Time_added_late_on_Friday_continues_on_Monday_morning()
    {
        var calendar = Calendar("Europe/London", NineToFive());

        var due = calendar.Add(Local("Europe/London", 2026, 1, 9, 16), TimeSpan.FromHours(2));

        Assert.Equal(Local("Europe/London", 2026, 1, 12, 10), due);
    }

    [Fact]
    public void A_holiday_is_skipped()
    {
        var calendar = Calendar("Europe/London", NineToFive(), new DateOnly(2026, 1, 12));

        var due = calendar.Add(Local("Europe/London", 2026, 1, 9, 16), TimeSpan.FromHours(2));

        Assert.Equal(Local("Europe/London", 2026, 1, 13, 10), due);
    }

    [Fact]
    public void Time_before_opening_starts_counting_at_opening()
    {
        var calendar = Calendar("America/New_York", NineToFive());

        var due = calendar.Add(Local("America/New_York", 2026, 2, 3, 6, 30), TimeSpan.FromMinutes(30));

        Assert.Equal(Local("America/New_York", 2026, 2, 3, 9, 30), due);
    }

    [Fact]
    public void Several_periods_a_day_skip_the_lunch_break()
    {
        var periods = Weekdays.SelectMany(d => new[]
        {
            new BusinessPeriod(d, new TimeOnly(9, 0), new TimeOnly(12, 0)),
            new BusinessPeriod(d, new TimeOnly(13, 0), new TimeOnly(17, 0)),
        });
        var calendar = Calendar("Asia/Tokyo", periods);

        Assert.Equal(Local("Asia/Tokyo", 2026, 4, 1, 13, 30), calendar.Add(Local("Asia/Tokyo", 2026, 4, 1, 11, 30), TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromHours(7), calendar.Between(Local("Asia/Tokyo", 2026, 4, 1, 0), Local("Asia/Tokyo", 2026, 4, 2, 0)));
    }

    [Fact]
    public void Office_hours_across_the_spring_DST_change_keep_the_local_opening_time()
    {
        // Berlin moves from UTC+1 to UTC+2 on Sunday 29 March 2026.
        var calendar = Calendar("Europe/Berlin", NineToFive());

        var due = calendar.Add(Local("Europe/Berlin", 2026, 3, 27, 16), TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 3, 30, 8, 0, 0, TimeSpan.Zero), due.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 10, 0, 0, TimeSpan.FromHours(2)), due);
    }

    [Fact]
    public void A_night_shift_on_the_DST_change_night_is_an_hour_shorter_in_spring_and_longer_in_autumn()
    {
        var calendar = Calendar("Europe/Berlin", [new BusinessPeriod(DayOfWeek.Sunday, new TimeOnly(0, 0), new TimeOnly(6, 0))]);

        Assert.Equal(TimeSpan.FromHours(5), calendar.Between(Local("Europe/Berlin", 2026, 3, 28, 12), Local("Europe/Berlin", 2026, 3, 30, 0)));
        Assert.Equal(TimeSpan.FromHours(7), calendar.Between(Local("Europe/Berlin", 2026, 10, 24, 12), Local("Europe/Berlin", 2026, 10, 26, 0)));
    }

    [Fact]
    public void A_period_starting_inside_the_skipped_hour_opens_when_the_clock_resumes()
    {
        var calendar = Calendar("Europe/Berlin", [new BusinessPeriod(DayOfWeek.Sunday, new TimeOnly(2, 30), new TimeOnly(4, 0))]);

        var due = calendar.Add(Local("Europe/Berlin", 2026, 3, 28, 12), TimeSpan.FromMinutes(30));

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 30, 0, TimeSpan.FromHours(2)), due);
    }

    [Fact]
    public void Between_is_the_inverse_of_Add()
    {
        var calendar = Calendar("Australia/Sydney", NineToFive(), new DateOnly(2026, 4, 3));
        var random = new Random(7);
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

        for (var i = 0; i < 200; i++)
        {
            var from = start.AddMinutes(random.Next(0, 60 * 24 * 60));
            var amount = TimeSpan.FromMinutes(random.Next(1, 60 * 40));

            var due = calendar.Add(from, amount);

            Assert.Equal(amount, calendar.Between(from, due));
        }
    }

    [Fact]
    public void Always_open_counts_wall_clock_time()
    {
        var from = new DateTimeOffset(2026, 6, 5, 22, 0, 0, TimeSpan.Zero);

        Assert.Equal(from.AddHours(50), BusinessCalendar.AlwaysOpen.Add(from, TimeSpan.FromHours(50)));
        Assert.True(BusinessCalendar.AlwaysOpen.IsOpen(from));
    }

    [Fact]
    public void Is_open_only_inside_a_period()
    {
        var calendar = Calendar("Europe/London", NineToFive());

        Assert.True(calendar.IsOpen(Local("Europe/London", 2026, 1, 7, 9)));
        Assert.False(calendar.IsOpen(Local("Europe/London", 2026, 1, 7, 17)));
        Assert.False(calendar.IsOpen(Local("Europe/London", 2026, 1, 10, 12)));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons", "calendar.time_zone_unknown")]
    [InlineData("", "calendar.time_zone_unknown")]
    public void An_unknown_time_zone_is_rejected(string zone, string code)
    {
        Assert.Equal(code, BusinessCalendar.Create(zone, NineToFive(), []).Error!.Code);
    }

    [Fact]
    public void Overlapping_or_empty_periods_are_rejected()
    {
        Assert.Equal("calendar.no_periods", BusinessCalendar.Create("UTC", [], []).Error!.Code);
        Assert.Equal("calendar.period_invalid", BusinessCalendar.Create("UTC", [new BusinessPeriod(DayOfWeek.Monday, new TimeOnly(17, 0), new TimeOnly(9, 0))], []).Error!.Code);
        Assert.Equal("calendar.periods_overlap", BusinessCalendar.Create("UTC",
        [
            new BusinessPeriod(DayOfWeek.Monday, new TimeOnly(9, 0), new TimeOnly(13, 0)),
            new BusinessPeriod(DayOfWeek.Monday, new TimeOnly(12, 0), new TimeOnly(17, 0)),
        ], []).Error!.Code);
    }
}
