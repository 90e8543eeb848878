using Amends.Domain.Teams;

namespace Amends.Domain.Tests.Customers;

public sealed class QuietHoursTest
{
    private static Team Team(int from, int until)
    {
        var team = Amends.Domain.Teams.Team.Create("Night", new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)).Value;
        Assert.Null(team.SetQuietHours(new TimeOnly(from, 0), new TimeOnly(until, 0)));
        return team;
    }

    [Theory]
    [InlineData(22, 10)] // overnight period, late evening: until 08:00 tomorrow
    [InlineData(3, 5)]   // overnight period, small hours: until 08:00 today
    public void A_message_in_an_overnight_quiet_period_waits_until_it_ends(int hour, double expectedHours)
    {
        var delay = Team(21, 8).QuietDelay(new DateTime(2026, 12, 1, hour, 0, 0));

        Assert.Equal(TimeSpan.FromHours(expectedHours), delay);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(20)]
    public void Outside_the_quiet_period_a_message_goes_at_once(int hour) =>
        Assert.Equal(TimeSpan.Zero, Team(21, 8).QuietDelay(new DateTime(2026, 12, 1, hour, 59, 0)));

    [Fact]
    public void A_daytime_quiet_period_and_none_at_all_work_too()
    {
        Assert.Equal(TimeSpan.FromHours(1), Team(12, 14).QuietDelay(new DateTime(2026, 12, 1, 13, 0, 0)));
        var open = Team(12, 14);
        Assert.Null(open.SetQuietHours(null, null));
        Assert.Equal(TimeSpan.Zero, open.QuietDelay(new DateTime(2026, 12, 1, 13, 0, 0)));
        Assert.NotNull(open.SetQuietHours(new TimeOnly(9, 0), null));
    }
}
