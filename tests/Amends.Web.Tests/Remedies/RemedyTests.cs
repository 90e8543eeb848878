using System.Net;
using System.Net.Http.Json;
using Amends.Domain.Remedies;
using Amends.Domain.Teams;
using Amends.Web.Features.Admin;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Remedies;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Remedies;

/// <summary>
/// Offers, authority limits and approvals over HTTP on both databases. Each test works with users of its own, so the
/// sums held against their limits are only what the test granted. Default limits: agents 50.00 per case and 500.00 in
/// 30 days, supervisors 500.00 and 5,000.00, admins none.
/// </summary>
public abstract class RemedyTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Within_the_agent_s_authority_an_offer_is_granted_at_once_and_goes_on_the_ledger()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);

        var offer = await OfferAsync(client, caseId, 2_500);

        Assert.Equal(OfferStatus.Offered, offer.Status);
        Assert.Equal(agent.Id, offer.GrantedBy);
        var panel = await client.GetJsonAsync<RemedyPanel>($"/api/cases/{caseId}/remedies");
        Assert.Equal(2_500, panel.Authority.PerCaseLeftMinor);
        Assert.Equal(47_500, panel.Authority.WindowLeftMinor);
        Assert.False(panel.AwaitingApproval);
        var ledger = await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>($"/api/ledger?caseId={caseId}");
        Assert.Equal(["offer.granted", "offer.created"], ledger.Items.Select(e => e.Action));
        Assert.All(ledger.Items, e => Assert.Equal(agent.Id, e.ActorId));
        var timeline = (await client.GetJsonAsync<CaseDetail>($"/api/cases/{caseId}")).Timeline;
        Assert.Contains(timeline, e => e.Kind == Amends.Domain.Cases.TimelineEntryKind.Remedy && e.Body!.Contains("EUR 25.00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Above_the_limit_the_offer_waits_for_a_supervisor_who_approves_it_and_the_agent_sees_it_granted()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);

        var offer = await OfferAsync(client, caseId, 7_500);

        Assert.Equal(OfferStatus.AwaitingApproval, offer.Status);
        Assert.Equal(Role.Supervisor, offer.RequiredApprover);
        Assert.NotNull(offer.ApprovalDueAt);
        Assert.True((await client.GetJsonAsync<RemedyPanel>($"/api/cases/{caseId}/remedies")).AwaitingApproval);
        var queue = await app.Supervisor.GetJsonAsync<List<ApprovalItem>>("/api/approvals");
        Assert.Contains(queue, q => q.Offer.Id == offer.Id && q.CanDecide);

        var approved = await app.Supervisor.PostJsonAsync<OfferDto>($"/api/approvals/{offer.Id}/approve", new { reason = "Long-standing customer" });

        Assert.Equal(OfferStatus.Offered, approved.Status);
        Assert.Equal(app.SupervisorUser.Id, approved.GrantedBy);
        Assert.Equal(app.SupervisorUser.Id, approved.DecidedBy);
        var seen = (await client.GetJsonAsync<List<OfferDto>>($"/api/cases/{caseId}/offers")).Single();
        Assert.Equal(OfferStatus.Offered, seen.Status);
        var entries = (await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>($"/api/ledger?caseId={caseId}")).Items;
        Assert.Equal(["approval.approved", "approval.requested", "offer.created"], entries.Select(e => e.Action));
        var approval = entries[0];
        Assert.Contains("\"status\":\"AwaitingApproval\"", approval.Before, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Offered\"", approval.After, StringComparison.Ordinal);
        Assert.Equal("Long-standing customer", approval.Reason);
        Assert.Equal(7_500, approval.AmountMinor);
    }

    [Fact]
    public async Task Splitting_an_amount_over_two_offers_on_a_case_does_not_get_around_the_per_case_limit()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);

        var first = await OfferAsync(client, caseId, 3_000);
        var second = await OfferAsync(client, caseId, 3_000);

        Assert.Equal(OfferStatus.Offered, first.Status);
        Assert.Equal(OfferStatus.AwaitingApproval, second.Status);
    }

    [Fact]
    public async Task Grants_by_others_on_the_case_count_against_the_per_case_limit_too()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);
        await OfferAsync(app.Admin, caseId, 4_000);

        var offer = await OfferAsync(client, caseId, 2_000);

        Assert.Equal(OfferStatus.AwaitingApproval, offer.Status);
    }

    [Fact]
    public async Task The_rolling_window_counts_grants_on_every_case_and_a_user_override_replaces_the_role_limit()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        await SetUserLimitAsync(agent.Id, perCase: null, per30Days: 5_000);

        var first = await OfferAsync(client, await CaseOwnedByAsync(agent), 3_000);
        var second = await OfferAsync(client, await CaseOwnedByAsync(agent), 3_000);

        Assert.Equal(OfferStatus.Offered, first.Status);
        Assert.Equal(OfferStatus.AwaitingApproval, second.Status);
        var limits = await app.Supervisor.GetJsonAsync<List<AuthorityLimitDto>>("/api/authority-limits");
        Assert.Contains(limits, l => l.UserId == agent.Id && l.Per30DaysMinor == 5_000 && l.PerCaseMinor == null);
        var change = (await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>("/api/ledger?action=limit.changed&pageSize=50")).Items
            .First(e => e.Subject == $"limit:user:{agent.Id}");
        Assert.Null(change.Before);
        Assert.Contains("\"per30DaysMinor\":5000", change.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nobody_approves_their_own_request()
    {
        var (supervisor, client) = await NewUserAsync(Role.Supervisor);
        await SetUserLimitAsync(supervisor.Id, perCase: 1_000, per30Days: 10_000);
        var caseId = await CaseOwnedByAsync(supervisor);
        var offer = await OfferAsync(client, caseId, 2_000);
        Assert.Equal(OfferStatus.AwaitingApproval, offer.Status);

        using var own = await client.PostJsonAsync($"/api/approvals/{offer.Id}/approve", new { });
        await own.AssertProblemAsync(HttpStatusCode.Forbidden, "approval.own_request");
        Assert.Contains(await client.GetJsonAsync<List<ApprovalItem>>("/api/approvals"), q => q.Offer.Id == offer.Id && !q.CanDecide);

        var approved = await app.Supervisor.PostJsonAsync<OfferDto>($"/api/approvals/{offer.Id}/approve", new { });
        Assert.Equal(OfferStatus.Offered, approved.Status);
    }

    [Fact]
    public async Task Above_the_supervisors_limit_only_an_admin_approves()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var offer = await OfferAsync(client, await CaseOwnedByAsync(agent), 60_000, reason: "Ruined wedding dress");
        Assert.Equal(Role.Admin, offer.RequiredApprover);

        using var supervisor = await app.Supervisor.PostJsonAsync($"/api/approvals/{offer.Id}/approve", new { });
        await supervisor.AssertProblemAsync(HttpStatusCode.Forbidden, "approval.admin_required");

        var approved = await app.Admin.PostJsonAsync<OfferDto>($"/api/approvals/{offer.Id}/approve", new { });
        Assert.Equal(OfferStatus.Offered, approved.Status);
    }

    [Fact]
    public async Task A_supervisor_whose_own_limit_is_too_low_sends_the_request_on_to_an_admin()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var (supervisor, supervisorClient) = await NewUserAsync(Role.Supervisor);
        await SetUserLimitAsync(supervisor.Id, perCase: 5_000, per30Days: 100_000);
        var offer = await OfferAsync(client, await CaseOwnedByAsync(agent), 6_000);
        Assert.Equal(Role.Supervisor, offer.RequiredApprover);

        var raised = await supervisorClient.PostJsonAsync<OfferDto>($"/api/approvals/{offer.Id}/approve", new { });

        Assert.Equal(OfferStatus.AwaitingApproval, raised.Status);
        Assert.Equal(Role.Admin, raised.RequiredApprover);
        Assert.Null(raised.GrantedBy);
    }

    [Fact]
    public async Task A_denial_needs_a_reason_and_releases_nothing()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var offer = await OfferAsync(client, await CaseOwnedByAsync(agent), 9_000);

        using var bare = await app.Supervisor.PostJsonAsync($"/api/approvals/{offer.Id}/deny", new { });
        var problem = await bare.AssertProblemAsync(HttpStatusCode.BadRequest, "approval.reason_required");
        Assert.NotEmpty(problem.FieldErrors("reason"));

        var denied = await app.Supervisor.PostJsonAsync<OfferDto>($"/api/approvals/{offer.Id}/deny", new { reason = "A replacement is enough here" });
        Assert.Equal(OfferStatus.Denied, denied.Status);
        Assert.Equal("A replacement is enough here", denied.DecisionReason);
        using var again = await app.Supervisor.PostJsonAsync($"/api/approvals/{offer.Id}/approve", new { });
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "offer.illegal_transition");
    }

    [Fact]
    public async Task The_customer_chooses_an_option_which_is_then_fulfilled_with_a_reference_and_lets_the_case_resolve()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);
        var offer = await client.PostJsonAsync<OfferDto>($"/api/cases/{caseId}/offers", new
        {
            options = new object[] { new { type = "Refund", amountMinor = 2_000L }, new { type = "Replacement", description = "A new kettle", amountMinor = 3_500L } },
            expiresAt = TimeProvider.System.GetUtcNow().AddDays(3),
        });
        Assert.Equal(3_500, offer.MaxAmountMinor);

        using (var unknown = await client.PostJsonAsync($"/api/offers/{offer.Id}/choice", new { optionId = Guid.NewGuid() }))
        {
            await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, "offer.option_unknown");
        }

        var chosen = await client.PostJsonAsync<OfferDto>($"/api/offers/{offer.Id}/choice", new { optionId = offer.Options[1].Id });
        Assert.Equal(OfferStatus.Chosen, chosen.Status);
        using (var late = await client.PostJsonAsync($"/api/offers/{offer.Id}/withdraw", new { }))
        {
            await late.AssertProblemAsync(HttpStatusCode.Conflict, "offer.illegal_transition");
        }

        using (var noReference = await client.PostJsonAsync($"/api/offers/{offer.Id}/fulfil", new { }))
        {
            (await noReference.AssertProblemAsync(HttpStatusCode.BadRequest, "offer.reference_required")).FieldErrors("reference");
        }

        var fulfilled = await client.PostJsonAsync<OfferDto>($"/api/offers/{offer.Id}/fulfil", new { reference = "ORD-77812" });
        Assert.Equal(OfferStatus.Fulfilled, fulfilled.Status);
        Assert.Equal("ORD-77812", fulfilled.FulfilmentReference);
        var panel = await client.GetJsonAsync<RemedyPanel>($"/api/cases/{caseId}/remedies");
        Assert.Equal(3_500, panel.Authority.HeldOnCaseMinor);

        await client.ActAsync(caseId, "acknowledge");
        await client.ActAsync(caseId, "start");
        var resolved = await client.ActAsync(caseId, "resolve", new { resolution = "Replacement delivered" });
        Assert.Equal(Amends.Domain.Cases.CaseStatus.Resolved, resolved.Status);
    }

    [Fact]
    public async Task Bad_offers_are_400s_on_the_field()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);

        async Task Expect(object body, string code, string field)
        {
            using var response = await client.PostJsonAsync($"/api/cases/{caseId}/offers", body);
            Assert.NotEmpty((await response.AssertProblemAsync(HttpStatusCode.BadRequest, code)).FieldErrors(field));
        }

        await Expect(new { options = Array.Empty<object>() }, "offer.options_count", "options");
        await Expect(new { options = new[] { new { type = "Refund", amountMinor = -5L } } }, "offer.amount_negative", "options[0].amountMinor");
        await Expect(new { options = new[] { new { type = "Refund", amountMinor = 5L } }, expiresAt = TimeProvider.System.GetUtcNow().AddHours(-1) }, "offer.expiry_past", "expiresAt");
        await Expect(new { options = new[] { new { type = "Refund", amountMinor = 5L } }, currency = "USD" }, "offer.currency_unsupported", "currency");
        await Expect(new { options = new[] { new { type = "ApologyOnly", amountMinor = 5L } } }, "offer.apology_has_value", "options[0].amountMinor");
        using var other = await app.Agent.PostJsonAsync($"/api/cases/{caseId}/offers", new { options = new[] { new { type = "Refund", amountMinor = 5L } } });
        await other.AssertProblemAsync(HttpStatusCode.Forbidden, "offer.not_owner");
        using var missing = await client.PostJsonAsync($"/api/offers/{Guid.NewGuid()}/choice", new { optionId = Guid.NewGuid() });
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "offer.not_found");
    }

    [Fact]
    public async Task Concurrent_grants_on_different_cases_never_exceed_the_rolling_limit()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        await SetUserLimitAsync(agent.Id, perCase: null, per30Days: 10_000);
        var cases = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            cases.Add(await CaseOwnedByAsync(agent));
        }

        var offers = await Task.WhenAll(cases.Select(c => OfferAsync(client, c, 3_000)));

        Assert.Equal(3, offers.Count(o => o.Status == OfferStatus.Offered));
        Assert.Equal(5, offers.Count(o => o.Status == OfferStatus.AwaitingApproval));
        var verify = await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.True(verify.Intact, verify.Message);
    }

    [Fact]
    public async Task Concurrent_grants_on_one_case_never_exceed_the_per_case_limit()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);

        var offers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OfferAsync(client, caseId, 2_000)));

        Assert.Equal(2, offers.Count(o => o.Status == OfferStatus.Offered));
        var panel = await client.GetJsonAsync<RemedyPanel>($"/api/cases/{caseId}/remedies");
        Assert.Equal(4_000, panel.Authority.HeldOnCaseMinor);
    }

    [Fact]
    public async Task The_ledger_records_role_changes_and_exports_as_csv()
    {
        var user = await app.CreateUserAsync(app.Admin, Role.Agent, "promoted");
        await app.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/users/{user.Id}")
        {
            Content = JsonContent.Create(new { displayName = user.DisplayName, role = "Supervisor", teamId = app.Team.Id, isActive = true }, options: Http.Json),
        }, Ct);

        var roles = (await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>("/api/ledger?action=role.&pageSize=100")).Items.Where(e => e.Subject == $"user:{user.Id}").ToList();
        Assert.Equal(2, roles.Count);
        Assert.Contains("Supervisor", roles[0].After, StringComparison.Ordinal);
        Assert.Contains("Agent", roles[0].Before, StringComparison.Ordinal);
        Assert.Equal(app.AdminUser.Id, roles[0].ActorId);

        using var csv = await app.Admin.GetAsync("/api/ledger/export", Ct);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sequence,at,action", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains($"user:{user.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_catalogue_is_seeded_and_admins_change_it_on_the_ledger()
    {
        var catalogue = await app.Agent.GetJsonAsync<List<CatalogueItemDto>>("/api/remedy-catalogue");
        Assert.Contains(catalogue, i => i.Type == Amends.Domain.Playbooks.RemedyType.Refund);
        Assert.Contains(catalogue, i => i.Type == Amends.Domain.Playbooks.RemedyType.ApologyOnly && i.DefaultAmountMinor == 0);

        var created = await app.Admin.PostJsonAsync<CatalogueItemDto>("/api/remedy-catalogue", new { type = "Gesture", name = "Cinema tickets " + Guid.NewGuid().ToString("N")[..6], defaultAmountMinor = 2_400 });
        using var duplicate = await app.Admin.PostJsonAsync("/api/remedy-catalogue", new { type = "Gesture", name = created.Name, defaultAmountMinor = 100 });
        await duplicate.AssertProblemAsync(HttpStatusCode.BadRequest, "catalogue.name_taken");
        using var stale = await app.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/remedy-catalogue/{created.Id}")
        {
            Content = JsonContent.Create(new { type = "Gesture", name = created.Name, defaultAmountMinor = 100, active = false }, options: Http.Json),
            Headers = { { "If-Match", $"\"{created.Version + 5}\"" } },
        }, Ct);
        await stale.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_case_changed_under_a_remedy_step_keeps_nothing_and_reports_a_conflict()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<Amends.Web.Persistence.AmendsDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<Ledger>();
        var before = (await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify")).Entries;

        var result = await ledger.WriteAsync(async now =>
        {
            var c = await db.Cases.SingleAsync(x => x.Id == new Amends.Domain.Common.CaseId(caseId), Ct);
            // Another writer moves the case on between this read and the write below.
            await db.Cases.Where(x => x.Id == c.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Version, x => x.Version + 1), Ct);
            c.RecordRemedy("racing", new Amends.Domain.Common.Actor(new Amends.Domain.Common.UserId(agent.Id), agent.DisplayName), now);
            await ledger.AppendAsync("offer.created", null, "offer:race", caseId, null, null, null, null, now, Ct);
            return Amends.Domain.Common.Result<bool>.Ok(true);
        }, Ct);

        Assert.False(result.IsSuccess);
        Assert.Equal(Amends.Domain.Common.ErrorKind.Conflict, result.Error!.Kind);
        Assert.Equal(before, (await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify")).Entries);
        Assert.DoesNotContain((await client.GetJsonAsync<CaseDetail>($"/api/cases/{caseId}")).Timeline, e => e.Body == "racing");
    }

    [Fact]
    public async Task Closing_a_case_withdraws_the_offers_nobody_chose_with_the_reason_on_the_ledger()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);
        var open = await OfferAsync(client, caseId, 1_000);
        var waiting = await OfferAsync(client, caseId, 4_900);

        await client.ActAsync(caseId, "close", new { outcome = "Withdrawn", reason = "Customer cancelled" });

        var panel = await client.GetJsonAsync<RemedyPanel>($"/api/cases/{caseId}/remedies");
        Assert.All(panel.Offers, o => Assert.Equal(OfferStatus.Withdrawn, o.Status));
        Assert.Equal(0, panel.Authority.HeldOnCaseMinor);
        var withdrawn = (await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>($"/api/ledger?caseId={caseId}&action=offer.withdrawn")).Items;
        Assert.Equal(new[] { open.Id, waiting.Id }.Order(), withdrawn.Select(e => Guid.Parse(e.Subject["offer:".Length..])).Order());
        Assert.All(withdrawn, e => Assert.Equal(Amends.Web.Features.Remedies.Remedies.ClosedReason, e.Reason));
        Assert.True((await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify")).Intact);
    }

    [Fact]
    public async Task A_case_closed_in_the_background_has_its_unchosen_offers_withdrawn_by_housekeeping()
    {
        var (agent, client) = await NewUserAsync(Role.Agent);
        var caseId = await CaseOwnedByAsync(agent);
        var offer = await OfferAsync(client, caseId, 1_000);
        await using (var scope = app.Scope())
        {
            // As the follow-up sweep's close does: the case row changes, no person is involved.
            var db = scope.ServiceProvider.GetRequiredService<Amends.Web.Persistence.AmendsDbContext>();
            await db.Cases.Where(c => c.Id == new Amends.Domain.Common.CaseId(caseId))
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.Status, Amends.Domain.Cases.CaseStatus.Closed), Ct);
        }

        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<Amends.Web.Jobs.Housekeeping>().WithdrawOnClosedCasesAsync(scope.ServiceProvider, Ct);
        }

        var panel = await client.GetJsonAsync<RemedyPanel>($"/api/cases/{caseId}/remedies");
        Assert.Equal(OfferStatus.Withdrawn, panel.Offers.Single(o => o.Id == offer.Id).Status);
    }

    private async Task<(UserDto User, HttpClient Client)> NewUserAsync(Role role)
    {
        var user = await app.CreateUserAsync(app.Admin, role, role.ToString().ToLowerInvariant());
        return (user, await app.ClientForUserAsync(app.Admin, user));
    }

    private async Task<Guid> CaseOwnedByAsync(UserDto owner)
    {
        var c = await app.Admin.CaseAsync(category: "MissedAppointment", severity: "Low");
        await app.Admin.PostJsonAsync<CaseDetail>($"/api/cases/{c.Id}/assign", new { ownerId = owner.Id });
        return c.Id;
    }

    private static Task<OfferDto> OfferAsync(HttpClient client, Guid caseId, long amountMinor, string? reason = null) =>
        client.PostJsonAsync<OfferDto>($"/api/cases/{caseId}/offers", new { options = new[] { new { type = "Refund", amountMinor } }, reason });

    private async Task SetUserLimitAsync(Guid userId, long? perCase, long? per30Days)
    {
        using var response = await app.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/authority-limits/users/{userId}")
        {
            Content = JsonContent.Create(new { perCaseMinor = perCase, per30DaysMinor = per30Days }, options: Http.Json),
        }, Ct);
        response.EnsureSuccessStatusCode();
    }
}

[Collection(SqliteCollection.Name)]
public sealed class RemedyTestsOnSqlite(SqliteApp app) : RemedyTests(app);

[Collection(PostgresCollection.Name)]
public sealed class RemedyTestsOnPostgres(PostgresApp app) : RemedyTests(app);
