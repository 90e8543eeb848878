using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Sla;
using Amends.Domain.Tests.Cases;
using Microsoft.Extensions.Time.Testing;

namespace Amends.Domain.Tests.Sla;

public sealed class SlaClockTest
{
    // Monday 2 March 2026 09:00 UTC, office hours in UTC.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly BusinessCalendar _calendar = BusinessCalendar.OfficeHours("UTC");
    private readonly SlaPolicy _policy = new(new Dictionary<Priority, SlaTargets>
    {
        [Priority.Low] = new(TimeSpan.FromHours(1), TimeSpan.FromHours(4), TimeSpan.FromHours(16)),
    });

    private RecoveryCase Open()
    {
        var customer = Customer();
        var c = RecoveryCase.Open(customer, FailureCategory.LateDelivery, Severity.Low, Channel.Email, "Late", null, _clock.GetUtcNow()).Value;
        c.ReconcileSla(_policy, _calendar, _clock.GetUtcNow());
        return c;
    }

    private static Amends.Domain.Customers.Customer Customer() =>
        Amends.Domain.Customers.Customer.Register("Sla Customer", null, null, DateTimeOffset.UnixEpoch).Value;

    private void Do(RecoveryCase c, Func<RecoveryCase, DateTimeOffset, DomainError?> action)
    {
        Assert.Null(action(c, _clock.GetUtcNow()));
        c.ReconcileSla(_policy, _calendar, _clock.GetUtcNow());
    }

    private IReadOnlyList<SlaEvent> CheckAfter(RecoveryCase c, TimeSpan wait)
    {
        _clock.Advance(wait);
        return c.CheckSla(_calendar, _clock.GetUtcNow());
    }

    [Fact]
    public void A_new_case_gets_due_times_in_business_hours()
    {
        var c = Open();

        Assert.Equal(new DateTime(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc), c.Sla.AcknowledgeBy);
        Assert.Equal(new DateTime(2026, 3, 2, 9, 48, 0, DateTimeKind.Utc), c.Sla.AcknowledgeWarnAt);
        Assert.Equal(new DateTime(2026, 3, 3, 17, 0, 0, DateTimeKind.Utc), c.Sla.ResolveBy);
        Assert.Equal(c.Sla.AcknowledgeWarnAt, c.Sla.NextCheckAt);
    }

    [Fact]
    public void The_owner_is_warned_at_80_percent_then_the_breach_is_reported_once()
    {
        var c = Open();

        Assert.Empty(CheckAfter(c, TimeSpan.FromMinutes(47)));
        var warning = Assert.Single(CheckAfter(c, TimeSpan.FromMinutes(1)));
        Assert.Equal(new SlaEvent(SlaClockKind.Acknowledge, false, new DateTime(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc)), warning);
        Assert.Empty(CheckAfter(c, TimeSpan.FromMinutes(1)));
        var breach = Assert.Single(CheckAfter(c, TimeSpan.FromMinutes(11)));
        Assert.True(breach.Breach);
        Assert.Empty(CheckAfter(c, TimeSpan.FromMinutes(30)));
        Assert.True(c.Sla.AcknowledgeBreached);
        Assert.Contains(c.Timeline, e => e.Kind == TimelineEntryKind.SlaBreached);
    }

    [Fact]
    public void Acknowledging_in_time_is_recorded_and_starts_the_update_clock()
    {
        var c = Open();
        _clock.Advance(TimeSpan.FromMinutes(20));

        Do(c, (x, now) => x.Acknowledge(CaseBuilder.Anna, now));

        Assert.True(c.Sla.AcknowledgedOnTime);
        Assert.Null(c.Sla.AcknowledgeBy);
        Assert.Equal(new DateTime(2026, 3, 2, 13, 20, 0, DateTimeKind.Utc), c.Sla.NextUpdateBy);
    }

    [Fact]
    public void Acknowledging_late_is_recorded_as_late()
    {
        var c = Open();
        CheckAfter(c, TimeSpan.FromHours(2));

        Do(c, (x, now) => x.Acknowledge(CaseBuilder.Anna, now));

        Assert.False(c.Sla.AcknowledgedOnTime);
    }

    [Fact]
    public void A_message_to_the_customer_restarts_the_update_clock()
    {
        var c = Open();
        Do(c, (x, now) => x.Acknowledge(CaseBuilder.Anna, now));
        _clock.Advance(TimeSpan.FromHours(3));

        Do(c, (x, now) => x.RecordMessage(false, Channel.Email, "Still on it", CaseBuilder.Anna, now));

        Assert.Equal(new DateTime(2026, 3, 2, 16, 0, 0, DateTimeKind.Utc), c.Sla.NextUpdateBy);
    }

    [Fact]
    public void A_missed_update_is_one_breach_per_interval()
    {
        var c = Open();
        Do(c, (x, now) => x.Acknowledge(CaseBuilder.Anna, now));

        var events = CheckAfter(c, TimeSpan.FromHours(4));

        Assert.Contains(events, e => e.Clock == SlaClockKind.Update && e.Breach);
        Assert.Equal(1, c.Sla.UpdatesMissed);
        Assert.True(c.Sla.NextUpdateBy > _clock.GetUtcNow().UtcDateTime);
    }

    [Fact]
    public void Waiting_on_the_customer_pauses_the_resolve_clock()
    {
        var c = Open();
        Do(c, (x, now) => x.Acknowledge(CaseBuilder.Anna, now));
        Do(c, (x, now) => x.StartResolving(CaseBuilder.Anna, now));
        _clock.Advance(TimeSpan.FromHours(2));
        Do(c, (x, now) => x.WaitForCustomer(CaseBuilder.Anna, now, "Photo please"));

        Assert.True(c.Sla.IsPaused);
        Assert.Null(c.Sla.ResolveBy);
        Assert.Equal(TimeSpan.FromHours(14), c.Sla.ResolvePausedRemaining);
        Assert.Empty(CheckAfter(c, TimeSpan.FromDays(5)));

        Do(c, (x, now) => x.Resume(CaseBuilder.Anna, now));

        // Saturday 7 March 11:00 → the next 14 open hours end on Tuesday 10 March 15:00.
        Assert.Equal(new DateTime(2026, 3, 10, 15, 0, 0, DateTimeKind.Utc), c.Sla.ResolveBy);
        Assert.False(c.Sla.IsPaused);
    }

    [Fact]
    public void Resolving_in_time_is_recorded_and_stops_the_clocks()
    {
        var c = Open();
        Do(c, (x, now) => x.Acknowledge(CaseBuilder.Anna, now));
        Do(c, (x, now) => x.StartResolving(CaseBuilder.Anna, now));
        _clock.Advance(TimeSpan.FromHours(3));

        Do(c, (x, now) => x.Resolve(CaseBuilder.Anna, now, "Sorted", apologyOnly: true));

        Assert.True(c.Sla.ResolvedOnTime);
        Assert.Null(c.Sla.NextCheckAt);
        Assert.Empty(CheckAfter(c, TimeSpan.FromDays(10)));
    }

    [Fact]
    public void Resolving_after_the_breach_is_recorded_as_late()
    {
        var c = Open();
        Do(c, (x, now) => x.Acknowledge(CaseBuilder.Anna, now));
        Do(c, (x, now) => x.StartResolving(CaseBuilder.Anna, now));
        Assert.Contains(CheckAfter(c, TimeSpan.FromDays(3)), e => e.Clock == SlaClockKind.Resolve && e.Breach);

        Do(c, (x, now) => x.Resolve(CaseBuilder.Anna, now, "Sorted at last", apologyOnly: true));

        Assert.False(c.Sla.ResolvedOnTime);
    }

    [Fact]
    public void Reopening_starts_a_fresh_resolve_clock()
    {
        var c = Open();
        Do(c, (x, now) => x.Acknowledge(CaseBuilder.Anna, now));
        Do(c, (x, now) => x.StartResolving(CaseBuilder.Anna, now));
        Do(c, (x, now) => x.Resolve(CaseBuilder.Anna, now, "Sorted", apologyOnly: true));
        _clock.Advance(TimeSpan.FromDays(2));

        Do(c, (x, now) => x.Reopen(CaseBuilder.Anna, now, "Not sorted"));

        Assert.Null(c.Sla.ResolvedOnTime);
        Assert.Equal(new DateTime(2026, 3, 5, 17, 0, 0, DateTimeKind.Utc), c.Sla.ResolveBy);
        Assert.NotNull(c.Sla.NextUpdateBy);
    }

    [Fact]
    public void Several_steps_between_two_reconciles_still_stop_the_acknowledge_clock()
    {
        var c = RecoveryCase.Open(Customer(), FailureCategory.LateDelivery, Severity.Low, Channel.Email, "Late", null, _clock.GetUtcNow()).Value;
        _clock.Advance(TimeSpan.FromMinutes(30));
        c.Acknowledge(CaseBuilder.Anna, _clock.GetUtcNow());
        c.StartResolving(CaseBuilder.Anna, _clock.GetUtcNow());

        c.ReconcileSla(_policy, _calendar, _clock.GetUtcNow());

        Assert.True(c.Sla.AcknowledgedOnTime);
        Assert.Null(c.Sla.AcknowledgeBy);
        Assert.Null(c.Sla.AcknowledgeWarnAt);
        Assert.NotNull(c.Sla.NextUpdateBy);
        Assert.Equal(c.Sla.ResolveBy, c.UrgencyKey);
    }

    [Fact]
    public void A_repeat_failure_raises_severity_by_one_level()
    {
        var c = RecoveryCase.Open(Customer(), FailureCategory.WrongOrder, Severity.Medium, Channel.Email, "Again", null, _clock.GetUtcNow(), repeatFailure: true).Value;

        Assert.Equal(Severity.High, c.Severity);
        Assert.True(c.RepeatFailure);
    }

    [Fact]
    public void A_repeat_failure_cannot_go_above_critical()
    {
        var c = RecoveryCase.Open(Customer(), FailureCategory.WrongOrder, Severity.Critical, Channel.Email, "Again", null, _clock.GetUtcNow(), repeatFailure: true).Value;

        Assert.Equal(Severity.Critical, c.Severity);
    }
}
