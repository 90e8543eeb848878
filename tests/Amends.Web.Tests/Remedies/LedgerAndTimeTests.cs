using System.Net;
using Amends.Domain.Remedies;
using Amends.Domain.Teams;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Remedies;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Amends.Web.Tests.Remedies;

/// <summary>
/// On an app of its own (its ledger gets tampered with) and a fake clock: the hash chain catches an edited row, the
/// database refuses edits, offers expire, the rolling window lets old grants go, an approval's SLA runs out.
/// </summary>
public abstract class LedgerAndTimeTests(string provider) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private TestApp _app = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
    public async Task Verify_finds_a_stored_entry_that_was_changed_behind_the_product_s_back()
    {
        var caseId = await AgentCaseAsync();
        var offer = await OfferAsync(caseId, 1_000);
        var entries = await _app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>($"/api/ledger?caseId={caseId}");
        var granted = entries.Items.Single(e => e.Action == "offer.granted");
        var intact = await _app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.True(intact.Intact, intact.Message);
        Assert.True(intact.Entries >= entries.Total);

        await WithDbAsync(async db =>
        {
            // Through the product's own connection the database refuses; someone with the database's keys drops the guard first.
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => UpdateAmountAsync(db, granted.Sequence, 99_999));
            await db.Database.ExecuteSqlRawAsync(provider == "Postgres"
                ? """ALTER TABLE "Ledger" DISABLE TRIGGER "Ledger_append_only" """
                : """DROP TRIGGER "Ledger_no_update" """, Ct);
            await UpdateAmountAsync(db, granted.Sequence, 99_999);
        });

        var broken = await _app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.False(broken.Intact);
        Assert.Equal(granted.Sequence, broken.FirstBrokenSequence);
        Assert.Contains("changed after it was written", broken.Message, StringComparison.Ordinal);
        Assert.Equal(OfferStatus.Offered, offer.Status);
    }

    [Fact]
    public async Task Verify_finds_a_removed_entry()
    {
        var caseId = await AgentCaseAsync();
        await OfferAsync(caseId, 1_000);
        var created = (await _app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>($"/api/ledger?caseId={caseId}")).Items.Single(e => e.Action == "offer.created");

        await WithDbAsync(async db =>
        {
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Ledger.Where(e => e.Sequence == created.Sequence).ExecuteDeleteAsync(Ct));
            await db.Database.ExecuteSqlRawAsync(provider == "Postgres"
                ? """ALTER TABLE "Ledger" DISABLE TRIGGER "Ledger_append_only" """
                : """DROP TRIGGER "Ledger_no_delete" """, Ct);
            await db.Ledger.Where(e => e.Sequence == created.Sequence).ExecuteDeleteAsync(Ct);
        });

        var broken = await _app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.False(broken.Intact);
        Assert.Equal(created.Sequence, broken.FirstBrokenSequence);
    }

    [Fact]
    public async Task An_offer_nobody_chose_in_time_expires_and_holds_nothing()
    {
        var caseId = await AgentCaseAsync();
        var offer = await _app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{caseId}/offers", new
        {
            options = new[] { new { type = "Refund", amountMinor = 4_000L } }, expiresAt = _clock.GetUtcNow().AddDays(2),
        });

        _clock.Advance(TimeSpan.FromDays(2));

        using var late = await _app.Agent.PostJsonAsync($"/api/offers/{offer.Id}/choice", new { optionId = offer.Options[0].Id });
        await late.AssertProblemAsync(HttpStatusCode.Conflict, "offer.expired");
        var panel = await _app.Agent.GetJsonAsync<RemedyPanel>($"/api/cases/{caseId}/remedies");
        Assert.Equal(OfferStatus.Expired, panel.Offers.Single().Status);
        Assert.Equal(0, panel.Authority.HeldOnCaseMinor);
        Assert.Equal(OfferStatus.Offered, (await OfferAsync(caseId, 4_000)).Status);
    }

    [Fact]
    public async Task Grants_older_than_30_days_no_longer_count_against_the_window()
    {
        var agent = _app.AgentUser;
        using (var set = await _app.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/authority-limits/users/{agent.Id}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { perCaseMinor = (long?)null, per30DaysMinor = 5_000L }, options: Http.Json),
        }, Ct))
        {
            set.EnsureSuccessStatusCode();
        }

        var first = await _app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{await AgentCaseAsync()}/offers", new
        {
            options = new[] { new { type = "Refund", amountMinor = 4_000L } }, expiresAt = _clock.GetUtcNow().AddDays(60),
        });
        await _app.Agent.PostJsonAsync<OfferDto>($"/api/offers/{first.Id}/choice", new { optionId = first.Options[0].Id });
        Assert.Equal(OfferStatus.AwaitingApproval, (await OfferAsync(await AgentCaseAsync(), 4_000)).Status);

        _clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));

        Assert.Equal(OfferStatus.Offered, (await OfferAsync(await AgentCaseAsync(), 4_000)).Status);
    }

    [Fact]
    public async Task An_approval_not_decided_within_its_SLA_shows_as_overdue_in_the_queue()
    {
        var offer = await OfferAsync(await AgentCaseAsync(), 9_000);
        Assert.False((await _app.Supervisor.GetJsonAsync<List<ApprovalItem>>("/api/approvals")).Single(q => q.Offer.Id == offer.Id).Offer.ApprovalOverdue);

        _clock.Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));

        Assert.True((await _app.Supervisor.GetJsonAsync<List<ApprovalItem>>("/api/approvals")).Single(q => q.Offer.Id == offer.Id).Offer.ApprovalOverdue);
    }

    [Fact]
    public async Task An_offer_far_outside_what_similar_cases_received_needs_a_reason_which_the_ledger_keeps()
    {
        for (var i = 0; i < 6; i++)
        {
            await RecoveredWithRemedyAsync(2_000 + (i * 200));
        }

        var caseId = await AgentCaseAsync("DigitalOutage", "High");
        var guidance = (await _app.Agent.GetJsonAsync<RemedyPanel>($"/api/cases/{caseId}/remedies")).Guidance;
        Assert.Equal(6, guidance.Count);
        Assert.Equal(2_000, guidance.P10);
        Assert.Equal(2_200, guidance.P25);
        Assert.Equal(2_400, guidance.Median);
        Assert.Equal(2_800, guidance.P75);
        Assert.Equal(3_000, guidance.P90);
        Assert.Equal(Amends.Domain.Playbooks.RemedyType.Refund, guidance.CommonTypes[0].Type);

        using var high = await _app.Agent.PostJsonAsync($"/api/cases/{caseId}/offers", new { options = new[] { new { type = "Refund", amountMinor = 4_900L } } });
        var problem = await high.AssertProblemAsync(HttpStatusCode.BadRequest, "offer.reason_required");
        Assert.NotEmpty(problem.FieldErrors("reason"));
        var within = await _app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{caseId}/offers", new { options = new[] { new { type = "Refund", amountMinor = 2_500L } } });
        Assert.Null(within.Reason);

        var explained = await _app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{caseId}/offers", new
        {
            options = new[] { new { type = "Refund", amountMinor = 4_900L } }, reason = "Third outage this month for this customer",
        });
        var entry = (await _app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>($"/api/ledger?caseId={caseId}")).Items
            .Single(e => e.Action == "offer.created" && e.Subject == $"offer:{explained.Id}");
        Assert.Equal("Third outage this month for this customer", entry.Reason);
    }

    [Fact]
    public async Task The_cost_report_sums_fulfilled_remedies_per_category_and_agent_beside_lifetime_value_and_as_csv()
    {
        await RecoveredWithRemedyAsync(2_000);
        await RecoveredWithRemedyAsync(3_000);
        var unfulfilled = await OfferAsync(await AgentCaseAsync(), 1_000);
        Assert.Equal(OfferStatus.Offered, unfulfilled.Status);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var report = await _app.Supervisor.GetJsonAsync<Amends.Web.Features.Reports.CostReportResult>("/api/reports/cost?groupBy=Category");

        var outage = report.Rows.Single(r => r.Group == "DigitalOutage");
        Assert.Equal(5_000, outage.CostMinor);
        Assert.Equal(2, outage.Cases);
        Assert.Equal(2_500, outage.AverageCostPerCaseMinor);
        Assert.Equal(5_000, report.Total.CostMinor);
        Assert.Equal("EUR", report.Currency);
        var byAgent = await _app.Supervisor.GetJsonAsync<Amends.Web.Features.Reports.CostReportResult>("/api/reports/cost?groupBy=Agent");
        Assert.Equal(5_000, byAgent.Rows.Single().CostMinor);
        using var csv = await _app.Supervisor.GetAsync("/api/reports/cost?groupBy=Month&format=csv", Ct);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("group,case_id,remedies,cases,customers,cost_minor", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("\"Total\",,2,2,", StringComparison.Ordinal) && l.Contains(",5000,", StringComparison.Ordinal));
        using var bad = await _app.Supervisor.GetAsync("/api/reports/cost?from=2026-02-01&to=2026-01-01", Ct);
        await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "report.period_invalid");
    }

    private async Task RecoveredWithRemedyAsync(long amount)
    {
        var caseId = await AgentCaseAsync("DigitalOutage", "High");
        var offer = await _app.Admin.PostJsonAsync<OfferDto>($"/api/cases/{caseId}/offers", new { options = new[] { new { type = "Refund", amountMinor = amount } }, reason = "as agreed" });
        await _app.Admin.PostJsonAsync<OfferDto>($"/api/offers/{offer.Id}/choice", new { optionId = offer.Options[0].Id });
        await _app.Admin.PostJsonAsync<OfferDto>($"/api/offers/{offer.Id}/fulfil", new { reference = "RF-" + amount });
        await _app.Agent.ActAsync(caseId, "acknowledge");
        await _app.Agent.ActAsync(caseId, "start");
        await _app.Agent.ActAsync(caseId, "resolve", new { resolution = "Refunded" });
        await _app.Agent.PostJsonAsync<CaseDetail>($"/api/cases/{caseId}/follow-up", new { score = 5 });
    }

    private async Task<Guid> AgentCaseAsync(string category = "WrongOrder", string severity = "Medium")
    {
        var c = await _app.Admin.CaseAsync(category: category, severity: severity);
        await _app.Admin.PostJsonAsync<CaseDetail>($"/api/cases/{c.Id}/assign", new { ownerId = _app.AgentUser.Id });
        return c.Id;
    }

    private Task<OfferDto> OfferAsync(Guid caseId, long amountMinor) =>
        _app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{caseId}/offers", new { options = new[] { new { type = "Refund", amountMinor } } });

    private async Task WithDbAsync(Func<AmendsDbContext, Task> work)
    {
        await using var scope = _app.Scope();
        await work(scope.ServiceProvider.GetRequiredService<AmendsDbContext>());
    }

    private static Task<int> UpdateAmountAsync(AmendsDbContext db, long sequence, long amount) =>
        db.Ledger.Where(e => e.Sequence == sequence).ExecuteUpdateAsync(s => s.SetProperty(e => e.AmountMinor, amount), Ct);
}

public sealed class LedgerAndTimeTestsOnSqlite() : LedgerAndTimeTests("Sqlite");

public sealed class LedgerAndTimeTestsOnPostgres() : LedgerAndTimeTests("Postgres");
