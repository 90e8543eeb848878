using System.Net;
using Amends.Domain.Cases;
using Amends.Web.Features.Cases;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Cases;

public abstract class CasesApiTests(TestApp app)
{
    [Fact]
    public async Task Opening_a_case_returns_201_New_with_a_Created_timeline_entry()
    {
        var customer = await app.Agent.CustomerAsync();

        using var response = await app.Agent.PostJsonAsync("/api/cases", new { customerId = customer.Id, category = "DefectiveProduct", summary = "Kettle broke", channel = "Chat" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadAsync<CaseDetail>();
        Assert.Equal(CaseStatus.New, created.Status);
        Assert.Equal(Severity.Medium, created.Severity);
        Assert.Equal($"/api/cases/{created.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal($"\"{created.Version}\"", response.Headers.ETag?.ToString());

        var fetched = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{created.Id}");
        Assert.Equal("Kettle broke", fetched.Summary);
        Assert.Equal(customer.Id, fetched.Customer.Id);
        var entry = Assert.Single(fetched.Timeline);
        Assert.Equal(TimelineEntryKind.Created, entry.Kind);
        Assert.Equal(app.AgentUser.DisplayName, entry.ActorName);
        Assert.Equal(["acknowledge", "close"], fetched.AvailableActions);
    }

    [Fact]
    public async Task Every_case_gets_the_next_number_which_the_list_the_search_and_its_own_route_know()
    {
        var first = await app.Agent.CaseAsync();
        var second = await app.Agent.CaseAsync(customerId: first.Customer.Id);

        var a = CaseNumber.Parse(first.Number);
        var b = CaseNumber.Parse(second.Number);
        Assert.Matches(@"^AM-\d{5,}$", first.Number);
        Assert.True(a >= CaseNumber.First && b > a, $"{first.Number} then {second.Number}");

        var listed = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={first.Customer.Id}");
        Assert.Equal(new[] { first.Number, second.Number }.Order(), listed.Items.Select(i => i.Number).Order());

        foreach (var query in new[] { second.Number, second.Number.ToLowerInvariant(), "#" + b })
        {
            var found = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?q={Uri.EscapeDataString(query)}");
            Assert.Equal(second.Id, Assert.Single(found.Items).Id);
        }

        var byNumber = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/by-number/{second.Number}");
        Assert.Equal(second.Id, byNumber.Id);
        using var unknown = await app.Agent.GetAsync("/api/cases/by-number/AM-999999999", TestContext.Current.CancellationToken);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "case.not_found");
        using var invalid = await app.Agent.GetAsync("/api/cases/by-number/ticket-7", TestContext.Current.CancellationToken);
        await invalid.AssertProblemAsync(HttpStatusCode.BadRequest, "case.number_invalid");
    }

    [Fact]
    public async Task Cases_opened_at_once_never_share_a_number()
    {
        var customer = await app.Agent.CustomerAsync();

        var cases = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => app.Agent.CaseAsync(customerId: customer.Id)));

        Assert.Equal(12, cases.Select(c => c.Number).Distinct().Count());
    }

    [Fact]
    public async Task A_case_walks_the_whole_lifecycle_and_every_step_is_on_the_timeline()
    {
        var c = await app.Agent.CaseAsync();

        c = await app.Agent.ActAsync(c.Id, "acknowledge");
        Assert.Equal(CaseStatus.Acknowledged, c.Status);
        Assert.Equal(app.AgentUser.Id, c.OwnerId);
        c = await app.Agent.ActAsync(c.Id, "start");
        c = await app.Agent.ActAsync(c.Id, "wait", new { reason = "Asked for the order number" });
        Assert.Equal(CaseStatus.WaitingOnCustomer, c.Status);
        c = await app.Agent.ActAsync(c.Id, "resume");
        c = await app.Agent.ActAsync(c.Id, "notes", new { body = "Carrier lost it; replacement sent" });
        c = await app.Agent.ActAsync(c.Id, "messages", new { direction = "Out", body = "Your replacement arrives Thursday." });
        c = await app.Agent.ActAsync(c.Id, "resolve", new { resolution = "Apologised, replacement sent", apologyOnly = true });
        Assert.Equal(CaseStatus.Resolved, c.Status);
        c = await app.Agent.ActAsync(c.Id, "reopen", new { reason = "Replacement also late" });
        Assert.Equal(CaseStatus.Resolving, c.Status);
        Assert.Equal(1, c.ReopenCount);
        c = await app.Agent.ActAsync(c.Id, "close", new { outcome = "Withdrawn", reason = "Customer cancelled the order" });

        Assert.Equal(CaseStatus.Closed, c.Status);
        Assert.Equal(CaseOutcome.Withdrawn, c.Outcome);
        var statuses = c.Timeline.Where(e => e.Kind == TimelineEntryKind.StatusChanged).Select(e => e.ToStatus).ToList();
        Assert.Equal([CaseStatus.Acknowledged, CaseStatus.Resolving, CaseStatus.WaitingOnCustomer, CaseStatus.Resolving,
            CaseStatus.Resolved, CaseStatus.Resolving, CaseStatus.Closed], statuses);
        Assert.Contains(c.Timeline, e => e.Kind == TimelineEntryKind.Note && e.Body == "Carrier lost it; replacement sent");
        Assert.Contains(c.Timeline, e => e.Kind == TimelineEntryKind.MessageOut && e.Channel == Amends.Domain.Common.Channel.Email);
        Assert.Equal(["reopen"], c.AvailableActions);
    }

    [Fact]
    public async Task An_illegal_transition_is_a_409_with_a_stable_code()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/resolve", new { resolution = "done", apologyOnly = true });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "case.illegal_transition");
        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(CaseStatus.New, after.Status);
        Assert.Equal(c.Version, after.Version);
    }

    [Fact]
    public async Task Resolving_without_a_remedy_or_apology_only_names_the_field()
    {
        var c = await app.Agent.CaseAsync();
        await app.Agent.ActAsync(c.Id, "acknowledge");
        await app.Agent.ActAsync(c.Id, "start");

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/resolve", new { resolution = "Sorted" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "case.remedy_required");
        Assert.NotEmpty(problem.FieldErrors("apologyOnly"));
    }

    [Fact]
    public async Task Closing_as_Recovered_without_a_follow_up_is_refused()
    {
        var c = await app.Agent.CaseAsync();
        foreach (var step in new[] { "acknowledge", "start" })
        {
            await app.Agent.ActAsync(c.Id, step);
        }

        await app.Agent.ActAsync(c.Id, "resolve", new { resolution = "Sorted", apologyOnly = true });

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/close", new { outcome = "Recovered" });
        await response.AssertProblemAsync(HttpStatusCode.Conflict, "case.follow_up_required");
    }

    [Fact]
    public async Task A_second_case_within_90_days_is_a_repeat_failure_with_raised_priority()
    {
        var customer = await app.Agent.CustomerAsync();
        var first = await app.Agent.CaseAsync(customer.Id, severity: "Critical");
        var second = await app.Agent.CaseAsync(customer.Id, severity: "Critical");

        Assert.False(first.RepeatFailure);
        Assert.True(second.RepeatFailure);
        Assert.True(second.Priority > first.Priority);
    }

    [Fact]
    public async Task Changing_severity_changes_priority()
    {
        var c = await app.Agent.CaseAsync(severity: "Low", ownerId: app.AgentUser.Id);

        var changed = await app.Agent.ActAsync(c.Id, "severity", new { severity = "Critical" });

        Assert.Equal(Severity.Critical, changed.Severity);
        Assert.True(changed.Priority > c.Priority);
    }

    [Fact]
    public async Task Assigning_sets_the_owner_and_the_owner_s_team()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        var assigned = await app.Agent.ActAsync(c.Id, "assign", new { ownerId = app.SupervisorUser.Id });

        Assert.Equal(app.SupervisorUser.Id, assigned.OwnerId);
        Assert.Equal(app.SupervisorUser.DisplayName, assigned.OwnerName);
        Assert.Equal(app.Team.Id, assigned.TeamId);
        Assert.Contains(assigned.Timeline, e => e.Kind == TimelineEntryKind.Assigned && e.OwnerId == app.SupervisorUser.Id);
    }

    [Fact]
    public async Task An_agent_cannot_take_a_case_away_from_another_owner_but_a_supervisor_can()
    {
        var c = await app.Supervisor.CaseAsync();
        await app.Supervisor.ActAsync(c.Id, "assign", new { ownerId = app.SupervisorUser.Id });

        using var refused = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/assign", new { ownerId = app.AgentUser.Id });
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "case.reassign_forbidden");

        var moved = await app.Supervisor.ActAsync(c.Id, "assign", new { ownerId = app.AgentUser.Id });
        Assert.Equal(app.AgentUser.Id, moved.OwnerId);
    }

    [Fact]
    public async Task Assigning_to_an_unknown_user_is_a_404_on_the_field()
    {
        var c = await app.Agent.CaseAsync();

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/assign", new { ownerId = Guid.NewGuid() });

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound, "user.not_found");
        Assert.NotEmpty(problem.FieldErrors("ownerId"));
    }

    [Fact]
    public async Task The_list_filters_by_status_owner_team_and_priority()
    {
        var customer = await app.Agent.CustomerAsync(tier: "Platinum");
        var mine = await app.Agent.CaseAsync(customer.Id, severity: "Critical", teamId: app.Team.Id);
        await app.Agent.ActAsync(mine.Id, "acknowledge");
        var unassigned = await app.Agent.CaseAsync(customer.Id, severity: "Low");

        var byCustomer = await List($"customerId={customer.Id}");
        Assert.Equal(2, byCustomer.Total);

        var acknowledged = await List($"customerId={customer.Id}&status=Acknowledged");
        Assert.Equal([mine.Id], acknowledged.Items.Select(i => i.Id));

        var open = await List($"customerId={customer.Id}&status=open");
        Assert.Equal(2, open.Total);

        var meOwned = await List($"customerId={customer.Id}&ownerId=me");
        Assert.Equal([mine.Id], meOwned.Items.Select(i => i.Id));

        var byOwnerId = await List($"customerId={customer.Id}&ownerId={app.AgentUser.Id}");
        Assert.Equal([mine.Id], byOwnerId.Items.Select(i => i.Id));

        var nobody = await List($"customerId={customer.Id}&ownerId=none");
        Assert.Equal([unassigned.Id], nobody.Items.Select(i => i.Id));

        var team = await List($"customerId={customer.Id}&teamId={app.Team.Id}");
        Assert.Equal([mine.Id], team.Items.Select(i => i.Id));

        var teamMine = await List($"customerId={customer.Id}&teamId=mine");
        Assert.Equal([mine.Id], teamMine.Items.Select(i => i.Id));

        var byPriority = await List($"customerId={customer.Id}&priority={mine.Priority}");
        Assert.Contains(mine.Id, byPriority.Items.Select(i => i.Id));
        Assert.DoesNotContain(unassigned.Id, byPriority.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task The_list_is_sorted_by_urgency_and_paged()
    {
        var customer = await app.Agent.CustomerAsync();
        var low = await app.Agent.CaseAsync(customer.Id, severity: "Low", ownerId: app.AgentUser.Id);
        var critical = await app.Agent.CaseAsync(customer.Id, severity: "Critical", ownerId: app.AgentUser.Id);
        var medium = await app.Agent.CaseAsync(customer.Id, severity: "Medium", ownerId: app.AgentUser.Id);
        var closed = await app.Agent.CaseAsync(customer.Id, severity: "Critical", ownerId: app.AgentUser.Id);
        await app.Agent.ActAsync(closed.Id, "close", new { outcome = "Duplicate" });

        var all = await List($"customerId={customer.Id}");
        Assert.Equal([critical.Id, medium.Id, low.Id, closed.Id], all.Items.Select(i => i.Id));

        var page2 = await List($"customerId={customer.Id}&pageSize=3&page=2");
        Assert.Equal(4, page2.Total);
        Assert.Equal([closed.Id], page2.Items.Select(i => i.Id));
    }

    [Theory]
    [InlineData("status=Sleeping", "status")]
    [InlineData("priority=Meh", "priority")]
    [InlineData("ownerId=someone", "ownerId")]
    [InlineData("teamId=x", "teamId")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("page=0", "page")]
    public async Task Bad_list_filters_are_400_problems_on_the_field(string query, string field)
    {
        using var response = await app.Agent.GetAsync($"/api/cases?{query}", TestContext.Current.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors(field));
    }

    [Fact]
    public async Task The_whole_timeline_comes_page_by_page_oldest_first()
    {
        var c = await app.Agent.CaseAsync();
        for (var i = 0; i < 5; i++)
        {
            await app.Agent.ActAsync(c.Id, "notes", new { body = $"note {i}" });
        }

        var page = await app.Agent.GetJsonAsync<Paged<TimelineItem>>($"/api/cases/{c.Id}/timeline?pageSize=4&page=2");

        Assert.Equal(6, page.Total);
        Assert.Equal(["note 3", "note 4"], page.Items.Select(e => e.Body));
    }

    [Fact]
    public async Task An_unknown_case_is_a_404_problem_for_reads_and_changes()
    {
        var id = Guid.NewGuid();
        using var get = await app.Agent.GetAsync($"/api/cases/{id}", TestContext.Current.CancellationToken);
        await get.AssertProblemAsync(HttpStatusCode.NotFound, "case.not_found");
        using var post = await app.Agent.PostJsonAsync($"/api/cases/{id}/acknowledge", null);
        await post.AssertProblemAsync(HttpStatusCode.NotFound, "case.not_found");
    }

    [Fact]
    public async Task Opening_a_case_for_an_unknown_customer_is_a_404_on_the_field()
    {
        using var response = await app.Agent.PostJsonAsync("/api/cases", new { customerId = Guid.NewGuid(), category = "Other", summary = "x", channel = "Email" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound, "customer.not_found");
        Assert.NotEmpty(problem.FieldErrors("customerId"));
    }

    private Task<Paged<CaseListItem>> List(string query) => app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?{query}");
}

[Collection(SqliteCollection.Name)]
public sealed class CasesApiTestsOnSqlite(SqliteApp app) : CasesApiTests(app);

[Collection(PostgresCollection.Name)]
public sealed class CasesApiTestsOnPostgres(PostgresApp app) : CasesApiTests(app);
