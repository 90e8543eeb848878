using System.Net;
using System.Net.Http.Json;
using Amends.Domain.Cases;
using Amends.Web.Features.Admin;
using Amends.Web.Features.Cases;
using Amends.Web.Jobs;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Amends.Web.Tests.Jobs;

/// <summary>SLA clocks, escalation and follow-up driven by the background sweep, on a fake clock, on both databases.</summary>
public abstract class WorkflowClockTests(string provider) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = new TestApp(provider, time: _clock, settings: new() { ["Amends:Jobs:Enabled"] = "false" });
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private Task<int> SweepAsync() => _app.Services.GetRequiredService<DueWorkSweeper>().SweepOnceAsync(500, TestContext.Current.CancellationToken);

    private Task<CaseDetail> Get(Guid id) => _app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{id}");

    [Theory]
    [InlineData("Medium")]
    [InlineData("Critical")]
    public async Task The_at_risk_and_breached_views_hold_exactly_the_cases_whose_badge_says_so(string severity)
    {
        var c = await _app.Agent.CaseAsync(severity: severity, summary: "Risk rule " + Guid.NewGuid().ToString("N")[..6]);
        var due = c.AcknowledgeBy!.Value;
        var warn = c.Sla.AcknowledgeWarnAt!.Value;
        var instants = new[] { warn.AddMinutes(-1), warn.AddMinutes(1), due.AddMinutes(-16), due.AddMinutes(-14), due.AddMinutes(-1), due.AddMinutes(1) }
            .Where(t => t > _clock.GetUtcNow().UtcDateTime).Order().ToList();
        var states = new List<string>();

        foreach (var instant in instants)
        {
            _clock.Advance(instant - _clock.GetUtcNow().UtcDateTime);

            // The sweep gives the warning and the breach as they fall due; the case must stay in its view after that.
            await SweepAsync();
            var row = (await _app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={c.Customer.Id}")).Items.Single();
            var badge = Amends.Web.Features.Sla.SlaRisk.State(row.AcknowledgeBy ?? row.ResolveBy, row.SlaWarnAt, row.SlaPaused, row.SlaBreached, _clock.GetUtcNow().UtcDateTime);
            var atRisk = (await _app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={c.Customer.Id}&sla=at-risk")).Total == 1;
            var breached = (await _app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={c.Customer.Id}&sla=breached")).Total == 1;

            Assert.True(atRisk == (badge == "risk"), $"{instant:O}: badge {badge}, in At risk: {atRisk}");
            Assert.True(breached == (badge == "breached"), $"{instant:O}: badge {badge}, in Breached: {breached}");
            Assert.Equal(instant >= due ? "breached" : instant >= warn ? "risk" : "ok", badge);
            states.Add(badge);
        }

        Assert.Contains("risk", states);
        Assert.Equal("breached", states[^1]);
    }

    [Fact]
    public async Task An_unacknowledged_case_is_warned_at_80_percent_then_breaches_and_lands_in_the_supervisor_queue()
    {
        var c = await _app.Agent.CaseAsync(severity: "Medium");
        Assert.Equal(Priority.Low, c.Priority);
        Assert.Equal(c.CreatedAt.AddHours(8), c.AcknowledgeBy);
        Assert.NotNull(c.ResolveBy);

        _clock.Advance(TimeSpan.FromHours(6) + TimeSpan.FromMinutes(23));
        await SweepAsync();
        Assert.DoesNotContain((await Get(c.Id)).Timeline, e => e.Kind == TimelineEntryKind.SlaWarning);

        _clock.Advance(TimeSpan.FromMinutes(2));
        await SweepAsync();
        Assert.Single((await Get(c.Id)).Timeline, e => e.Kind == TimelineEntryKind.SlaWarning);

        _clock.Advance(TimeSpan.FromHours(2));
        await SweepAsync();
        await SweepAsync();
        var breached = await Get(c.Id);
        Assert.Single(breached.Timeline, e => e.Kind == TimelineEntryKind.SlaBreached);
        Assert.Equal(EscalationState.Waiting, breached.Escalation);
        Assert.Equal(EscalationReason.SlaBreach, breached.EscalationReason);
        Assert.True(breached.Sla.AcknowledgeBreached);

        var queue = await _app.Supervisor.GetJsonAsync<List<EscalationItem>>("/api/escalations");
        var item = Assert.Single(queue, i => i.CaseId == c.Id);
        Assert.True(item.Breached);
        var metricsText = await _app.Anonymous.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains(metricsText.Split('\n'), l => l.StartsWith("amends_sla_breaches_total{", StringComparison.Ordinal) && l.Contains("clock=\"Acknowledge\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_supervisor_steps_in_and_hands_back_and_the_owner_stays()
    {
        var c = await _app.Agent.CaseAsync();
        await _app.Agent.ActAsync(c.Id, "acknowledge");
        await _app.Agent.ActAsync(c.Id, "escalations", new { reason = "CustomerAskedForManager", note = "Wants to speak to a manager" });

        var engaged = await _app.Supervisor.ActAsync(c.Id, "escalations/step-in");
        Assert.Equal(EscalationState.SupervisorEngaged, engaged.Escalation);
        Assert.Equal(_app.SupervisorUser.Id, engaged.EscalationSupervisorId);
        Assert.Equal(_app.AgentUser.Id, engaged.OwnerId);

        var back = await _app.Supervisor.ActAsync(c.Id, "escalations/hand-back", new { note = "Offered a call back" });
        Assert.Equal(EscalationState.None, back.Escalation);
        Assert.Equal(_app.AgentUser.Id, back.OwnerId);
        Assert.Equal([TimelineEntryKind.Escalated, TimelineEntryKind.SupervisorSteppedIn, TimelineEntryKind.HandedBack],
            back.Timeline.Where(e => e.Kind is TimelineEntryKind.Escalated or TimelineEntryKind.SupervisorSteppedIn or TimelineEntryKind.HandedBack).Select(e => e.Kind));
        var queue = await _app.Supervisor.GetJsonAsync<List<EscalationItem>>("/api/escalations");
        Assert.DoesNotContain(queue, i => i.CaseId == c.Id);
    }

    [Fact]
    public async Task Waiting_on_the_customer_pauses_the_resolve_clock_over_the_API()
    {
        var c = await _app.Agent.CaseAsync();
        await _app.Agent.ActAsync(c.Id, "acknowledge");
        await _app.Agent.ActAsync(c.Id, "start");
        var waiting = await _app.Agent.ActAsync(c.Id, "wait", new { reason = "Photo please" });
        Assert.Null(waiting.ResolveBy);
        Assert.True(waiting.Sla.Paused);

        _clock.Advance(TimeSpan.FromDays(10));
        await SweepAsync();
        var resumed = await _app.Agent.ActAsync(c.Id, "resume");

        Assert.False(resumed.Sla.ResolveBreached);
        Assert.True(resumed.ResolveBy > _clock.GetUtcNow().UtcDateTime);
    }

    [Fact]
    public async Task Team_business_hours_set_the_due_times()
    {
        var team = await _app.Admin.PostJsonAsync<TeamDto>("/api/teams", new
        {
            name = "Weekday team " + Guid.NewGuid().ToString("N")[..6],
            hours = new
            {
                timeZoneId = "Europe/Berlin",
                periods = new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday" }.Select(d => new { day = d, start = "09:00:00", end = "17:00:00" }),
                holidays = Array.Empty<string>(),
            },
        });
        Assert.Equal("Europe/Berlin", team.Hours!.TimeZoneId);

        var c = await _app.Agent.CaseAsync(teamId: team.Id);

        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var due = TimeZoneInfo.ConvertTimeFromUtc(c.AcknowledgeBy!.Value, berlin);
        Assert.InRange(due.TimeOfDay, TimeSpan.FromHours(9), TimeSpan.FromHours(17));
        Assert.NotEqual(DayOfWeek.Saturday, due.DayOfWeek);
        Assert.NotEqual(DayOfWeek.Sunday, due.DayOfWeek);
    }

    [Fact]
    public async Task Invalid_business_hours_are_a_400_on_the_field()
    {
        using var response = await _app.Admin.PostJsonAsync("/api/teams", new
        {
            name = "Bad hours " + Guid.NewGuid().ToString("N")[..6],
            hours = new { timeZoneId = "Mars/Base", periods = new[] { new { day = "Monday", start = "09:00:00", end = "17:00:00" } }, holidays = Array.Empty<string>() },
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "calendar.time_zone_unknown");
        Assert.NotEmpty(problem.FieldErrors("hours.timeZone"));
    }

    [Fact]
    public async Task The_follow_up_goes_out_three_days_after_resolution_and_a_good_answer_closes_as_Recovered()
    {
        var c = await Resolved();

        _clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1));
        await SweepAsync();
        Assert.Equal(0, (await Get(c.Id)).FollowUpsSent);
        _clock.Advance(TimeSpan.FromMinutes(2));
        await SweepAsync();
        Assert.Equal(1, (await Get(c.Id)).FollowUpsSent);

        // The check really goes to the customer: in the outbox, in the sweep's transaction, with their link to answer.
        await using (var scope = _app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Amends.Web.Persistence.AmendsDbContext>();
            var ask = Assert.Single(db.Outbox.Where(m => m.CaseId == new Amends.Domain.Common.CaseId(c.Id) && m.Kind == Amends.Domain.Messaging.MessageKind.FollowUp).ToList());
            Assert.True(ask.Automatic);
            Assert.Contains("/feedback/", ask.TextBody);
            Assert.Contains((await Get(c.Id)).Timeline, e => e.Kind == TimelineEntryKind.MessageOut && e.MessageId == ask.Id);
        }

        var closed = await _app.Agent.ActAsync(c.Id, "follow-up", new { score = 5, comment = "Brilliant, thank you" });

        Assert.Equal(CaseStatus.Closed, closed.Status);
        Assert.Equal(CaseOutcome.Recovered, closed.Outcome);
        _clock.Advance(TimeSpan.FromDays(10));
        await SweepAsync();
        Assert.Equal(1, (await Get(c.Id)).FollowUpsSent);
    }

    [Fact]
    public async Task Without_an_answer_a_reminder_goes_out_then_the_case_closes_as_Unconfirmed()
    {
        var c = await Resolved();

        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromDays(3));
            await SweepAsync();
        }

        var closed = await Get(c.Id);
        Assert.Equal(CaseStatus.Closed, closed.Status);
        Assert.Equal(CaseOutcome.Unconfirmed, closed.Outcome);
        Assert.Equal(2, closed.Timeline.Count(e => e.Kind == TimelineEntryKind.FollowUpSent));
    }

    [Fact]
    public async Task A_poor_answer_reopens_the_case_at_a_raised_priority()
    {
        var c = await Resolved();
        _clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        await SweepAsync();

        var reopened = await _app.Agent.ActAsync(c.Id, "follow-up", new { score = 2, comment = "Still broken" });

        Assert.Equal(CaseStatus.Resolving, reopened.Status);
        Assert.True(reopened.Priority > c.Priority || reopened.Severity > c.Severity);
        Assert.NotNull(reopened.ResolveBy);
        Assert.Contains(reopened.Timeline, e => e.Body?.Contains("Still broken", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task The_owner_is_reminded_before_a_promise_falls_due_and_an_open_promise_then_breaks()
    {
        var c = await _app.Agent.CaseAsync(ownerId: _app.AgentUser.Id);
        var promise = await _app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises",
            new { text = "Engineer calls back", dueAt = _clock.GetUtcNow().AddHours(10) });

        _clock.Advance(TimeSpan.FromHours(7));
        await SweepAsync();
        Assert.DoesNotContain((await Get(c.Id)).Timeline, e => e.Kind == TimelineEntryKind.PromiseReminder);
        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        await SweepAsync();
        Assert.Single((await Get(c.Id)).Timeline, e => e.Kind == TimelineEntryKind.PromiseReminder);

        _clock.Advance(TimeSpan.FromHours(2));
        await SweepAsync();
        var timeline = (await Get(c.Id)).Timeline;
        Assert.Single(timeline, e => e.Kind == TimelineEntryKind.PromiseBroken);
        var promises = await _app.Agent.GetJsonAsync<List<PromiseDto>>($"/api/cases/{c.Id}/promises");
        Assert.Equal(PromiseStatus.Broken, Assert.Single(promises, p => p.Id == promise.Id).Status);
    }

    [Fact]
    public async Task A_kept_promise_is_never_broken()
    {
        var c = await _app.Agent.CaseAsync(ownerId: _app.AgentUser.Id);
        var promise = await _app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises",
            new { text = "Refund paid", dueAt = _clock.GetUtcNow().AddHours(5) });
        await _app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises/{promise.Id}/kept", null);

        _clock.Advance(TimeSpan.FromHours(6));
        await SweepAsync();

        Assert.DoesNotContain((await Get(c.Id)).Timeline, e => e.Kind is TimelineEntryKind.PromiseBroken or TimelineEntryKind.PromiseReminder);
    }

    [Fact]
    public async Task Cover_goes_to_the_team_s_agents_and_to_a_supervisor_only_when_no_agent_can()
    {
        var team = await _app.Admin.PostJsonAsync<Amends.Web.Features.Admin.TeamDto>("/api/teams", new { name = "Cover " + Guid.NewGuid().ToString("N")[..6] });
        async Task<Amends.Web.Features.Admin.UserDto> Member(string role, string name) =>
            await _app.Admin.PostJsonAsync<Amends.Web.Features.Admin.UserDto>("/api/users", new
            {
                email = $"{name}-{Guid.NewGuid():N}@amends.test", displayName = name, password = "Test-Password-123", role, teamId = team.Id,
            });
        var supervisor = await Member("Supervisor", "Lead");
        var admin = await Member("Admin", "Boss");
        var first = await Member("Agent", "First");
        var second = await Member("Agent", "Second");
        var away = await Member("Agent", "Leaving");
        foreach (var i in Enumerable.Range(0, 6))
        {
            await _app.Admin.PostJsonAsync<CaseDetail>("/api/cases", new { customerId = (await _app.Admin.CustomerAsync()).Id, category = "Other", summary = $"Cover me {i}", channel = "Email", ownerId = away.Id });
        }

        var status = await (await _app.ClientForUserAsync(_app.Admin, away)).PostJsonAsync<Amends.Web.Features.Cover.AwayStatus>("/api/users/me/away", new { until = _clock.GetUtcNow().AddDays(1) });

        Assert.Equal(6, status.Covered.Count);
        Assert.All(status.Covered, c => Assert.Contains(c.CoverOwnerId, new Guid?[] { first.Id, second.Id }));
        Assert.Equal(3, status.Covered.Count(c => c.CoverOwnerId == first.Id));

        // With both agents away too, the supervisor (or the admin) covers.
        foreach (var i in Enumerable.Range(0, 2))
        {
            await _app.Admin.PostJsonAsync<CaseDetail>("/api/cases", new { customerId = (await _app.Admin.CustomerAsync()).Id, category = "Other", summary = $"Second's {i}", channel = "Email", ownerId = second.Id });
        }

        await (await _app.ClientForUserAsync(_app.Admin, first)).PostJsonAsync<Amends.Web.Features.Cover.AwayStatus>("/api/users/me/away", new { until = _clock.GetUtcNow().AddDays(1) });
        var lastCovered = await (await _app.ClientForUserAsync(_app.Admin, second)).PostJsonAsync<Amends.Web.Features.Cover.AwayStatus>("/api/users/me/away", new { until = _clock.GetUtcNow().AddDays(1) });
        Assert.Equal(2, lastCovered.Covered.Count);
        Assert.All(lastCovered.Covered, c => Assert.Contains(c.CoverOwnerId, new Guid?[] { supervisor.Id, admin.Id }));
    }

    [Fact]
    public async Task An_owner_going_away_has_their_cases_covered_by_the_lightest_loaded_teammate_until_they_return()
    {
        var busy = await _app.CreateUserAsync(_app.Admin, Amends.Domain.Teams.Role.Agent, "busy");
        var free = await _app.CreateUserAsync(_app.Admin, Amends.Domain.Teams.Role.Agent, "free");
        foreach (var _ in Enumerable.Range(0, 3))
        {
            await _app.Admin.PostJsonAsync<CaseDetail>("/api/cases", new { customerId = (await _app.Admin.CustomerAsync()).Id, category = "Other", summary = "Busy work", channel = "Email", ownerId = busy.Id });
        }

        var away = await _app.CreateUserAsync(_app.Admin, Amends.Domain.Teams.Role.Agent, "traveller");
        var awayClient = await _app.ClientForUserAsync(_app.Admin, away);
        var mine = await _app.Admin.PostJsonAsync<CaseDetail>("/api/cases", new { customerId = (await _app.Admin.CustomerAsync()).Id, category = "Other", summary = "Needs cover", channel = "Email", ownerId = away.Id });

        var status = await awayClient.PostJsonAsync<Amends.Web.Features.Cover.AwayStatus>("/api/users/me/away", new { until = _clock.GetUtcNow().AddDays(2) });

        var covered = Assert.Single(status.Covered);
        Assert.NotEqual(busy.Id, covered.CoverOwnerId);
        var detail = await Get(mine.Id);
        Assert.Equal(away.Id, detail.OwnerId);
        Assert.NotNull(detail.CoverOwnerId);
        Assert.Contains(detail.Timeline, e => e.Kind == TimelineEntryKind.CoverStarted);
        var coverClient = detail.CoverOwnerId == free.Id ? await _app.ClientForUserAsync(_app.Admin, free)
            : detail.CoverOwnerId == _app.AgentUser.Id ? _app.Agent
            : detail.CoverOwnerId == _app.AdminUser.Id ? _app.Admin : _app.Supervisor;
        var coversMine = await coverClient.GetJsonAsync<Paged<CaseListItem>>("/api/cases?ownerId=me&status=open");
        Assert.Contains(coversMine.Items, i => i.Id == mine.Id);

        _clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        await SweepAsync();

        var back = await Get(mine.Id);
        Assert.Null(back.CoverOwnerId);
        Assert.Equal(away.Id, back.OwnerId);
        Assert.Contains(back.Timeline, e => e.Kind == TimelineEntryKind.CoverEnded);
        Assert.Null((await awayClient.GetJsonAsync<Amends.Web.Features.Cover.AwayStatus>("/api/users/me/away")).AwayUntil);
    }

    [Fact]
    public async Task Coming_back_early_ends_the_cover_at_once()
    {
        var away = await _app.CreateUserAsync(_app.Admin, Amends.Domain.Teams.Role.Agent, "early");
        var awayClient = await _app.ClientForUserAsync(_app.Admin, away);
        var c = await _app.Admin.PostJsonAsync<CaseDetail>("/api/cases", new { customerId = (await _app.Admin.CustomerAsync()).Id, category = "Other", summary = "Back soon", channel = "Email", ownerId = away.Id });
        await awayClient.PostJsonAsync<Amends.Web.Features.Cover.AwayStatus>("/api/users/me/away", new { until = _clock.GetUtcNow().AddDays(5) });

        using var response = await awayClient.DeleteAsync("/api/users/me/away", TestContext.Current.CancellationToken);
        var status = await response.ReadAsync<Amends.Web.Features.Cover.AwayStatus>();

        Assert.Null(status.AwayUntil);
        Assert.Empty(status.Covered);
        Assert.Null((await Get(c.Id)).CoverOwnerId);
    }

    [Fact]
    public async Task Going_away_into_the_past_is_a_400_on_the_field()
    {
        using var response = await _app.Agent.PostJsonAsync("/api/users/me/away", new { until = _clock.GetUtcNow().AddHours(-1) });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "cover.until_invalid");
        Assert.NotEmpty(problem.FieldErrors("until"));
    }

    [Fact]
    public async Task A_follow_up_answer_on_an_open_case_is_a_409()
    {
        var c = await _app.Agent.CaseAsync(ownerId: _app.AgentUser.Id);

        using var response = await _app.Agent.PostJsonAsync($"/api/cases/{c.Id}/follow-up", new { score = 4 });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "case.not_resolved");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public async Task A_follow_up_score_outside_1_to_5_is_a_400(int score)
    {
        var c = await Resolved();

        using var response = await _app.Agent.PostJsonAsync($"/api/cases/{c.Id}/follow-up", new { score });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    private async Task<CaseDetail> Resolved()
    {
        var c = await _app.Agent.CaseAsync(severity: "Low");
        await _app.Agent.ActAsync(c.Id, "acknowledge");
        await _app.Agent.ActAsync(c.Id, "start");
        return await _app.Agent.ActAsync(c.Id, "resolve", new { resolution = "Replaced", apologyOnly = true });
    }
}

public sealed class WorkflowClockTestsOnSqlite() : WorkflowClockTests("Sqlite");

public sealed class WorkflowClockTestsOnPostgres() : WorkflowClockTests("Postgres");
