using System.Net;
using Amends.Web.Features.Reports;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Amends.Web.Tests.Reports;

/// <summary>The SLA report over real cases, on a fake clock, on both databases.</summary>
public abstract class SlaReportTests(string provider) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));
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

    [Fact]
    public async Task Counts_on_time_shares_quantiles_and_promises_per_group_and_as_CSV()
    {
        // Three Low cases (8 h to acknowledge): two acknowledged in time (after 1 h and 2 h), one late (after 10 h).
        var fast = await _app.Agent.CaseAsync(severity: "Low");
        var medium = await _app.Agent.CaseAsync(severity: "Low");
        var late = await _app.Agent.CaseAsync(severity: "Low");
        _clock.Advance(TimeSpan.FromHours(1));
        await _app.Agent.ActAsync(fast.Id, "acknowledge");
        _clock.Advance(TimeSpan.FromHours(1));
        await _app.Agent.ActAsync(medium.Id, "acknowledge");
        _clock.Advance(TimeSpan.FromHours(8));
        await _app.Agent.ActAsync(late.Id, "acknowledge");
        var promise = await _app.Agent.PostJsonAsync<Amends.Web.Features.Cases.PromiseDto>($"/api/cases/{fast.Id}/promises", new { text = "Call back", dueAt = _clock.GetUtcNow().AddHours(5) });
        await _app.Agent.PostJsonAsync<Amends.Web.Features.Cases.PromiseDto>($"/api/cases/{fast.Id}/promises/{promise.Id}/kept", null);

        var report = await _app.Supervisor.GetJsonAsync<SlaReportResult>("/api/reports/sla?from=2026-05-31T00:00:00Z&to=2026-06-02T00:00:00Z&groupBy=Agent");

        var row = Assert.Single(report.Rows);
        Assert.Equal(_app.AgentUser.DisplayName, row.Group);
        Assert.Equal(3, row.Cases);
        Assert.Equal(3, row.Acknowledged);
        Assert.Equal(2, row.AcknowledgedOnTime);
        Assert.Equal(66.7, row.AcknowledgedOnTimePercent);
        Assert.Equal(120, row.MedianMinutesToAcknowledge);
        Assert.Equal(600, row.P90MinutesToAcknowledge);
        Assert.Equal(1, row.PromisesMade);
        Assert.Equal(1, row.PromisesKept);
        Assert.Equal(3, report.Total.Cases);

        using var csv = await _app.Supervisor.GetAsync("/api/reports/sla?from=2026-05-31T00:00:00Z&to=2026-06-02T00:00:00Z&groupBy=Agent&format=csv", TestContext.Current.CancellationToken);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("group,cases,acknowledged,acknowledged_on_time,acknowledged_on_time_pct", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"\"{_app.AgentUser.DisplayName}\",3,3,2,66.7,120,600", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("\"Total\",3", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_up_answers_staff_recorded_are_counted_apart_from_the_customers_own()
    {
        var own = await ResolvedAsync();
        var byPhone = await ResolvedAsync();
        await using (var scope = _app.Scope())
        {
            // The customer's own answer, as their signed link records it.
            var feedback = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Amends.Web.Features.FollowUp.Feedback>(scope.ServiceProvider);
            Assert.True((await feedback.AnswerAsync(own, 5, null, TestContext.Current.CancellationToken)).IsSuccess);
        }

        await _app.Agent.ActAsync(byPhone, "follow-up", new { score = 4 });

        var report = await _app.Supervisor.GetJsonAsync<SlaReportResult>($"/api/reports/sla?groupBy=None&from={_clock.GetUtcNow().AddDays(-1):O}&to={_clock.GetUtcNow().AddDays(1):O}".Replace("+", "%2B", StringComparison.Ordinal));
        Assert.Equal(1, report.Total.FollowUpAnswersByCustomers);
        Assert.Equal(1, report.Total.FollowUpAnswersRecordedByStaff);
        var csv = await _app.Supervisor.GetStringAsync("/api/reports/sla?format=csv&groupBy=None", TestContext.Current.CancellationToken);
        Assert.Contains("follow_up_answers_by_customers,follow_up_answers_recorded_by_staff", csv, StringComparison.Ordinal);
    }

    private async Task<Guid> ResolvedAsync()
    {
        var c = await _app.Agent.CaseAsync(ownerId: _app.AgentUser.Id);
        await _app.Agent.ActAsync(c.Id, "acknowledge");
        await _app.Agent.ActAsync(c.Id, "start");
        await _app.Agent.ActAsync(c.Id, "resolve", new { resolution = "Sorted", apologyOnly = true });
        return c.Id;
    }

    [Fact]
    public async Task A_period_that_ends_before_it_starts_is_a_400()
    {
        using var response = await _app.Supervisor.GetAsync("/api/reports/sla?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z", TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "report.period_invalid");
    }

    [Theory]
    [InlineData(new double[] { }, 0.5, null)]
    [InlineData(new double[] { 7 }, 0.9, 7.0)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 0.5, 5.0)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 0.9, 9.0)]
    public void Quantiles_use_the_nearest_rank(double[] values, double q, double? expected)
    {
        Assert.Equal(expected, SlaReport.Quantile(values, q));
    }
}

public sealed class SlaReportTestsOnSqlite() : SlaReportTests("Sqlite");

public sealed class SlaReportTestsOnPostgres() : SlaReportTests("Postgres");
