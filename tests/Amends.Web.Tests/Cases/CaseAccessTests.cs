using System.Net;
using Amends.Domain.Teams;
using Amends.Web.Features.Admin;
using Amends.Web.Features.Cases;
using Amends.Web.Features.FollowUp;
using Amends.Web.Features.Remedies;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Cases;

/// <summary>
/// Object-level rules: the owner, their cover and supervisors work a case; any agent may take an unowned case or add a
/// note; everyone else gets a 403 that says who may, and the case is left as it was.
/// </summary>
public abstract class CaseAccessTests(TestApp app)
{
    /// <summary>A case owned by the test app's agent, resolved (so follow-up actions apply), and another agent's client.</summary>
    private async Task<(CaseDetail Case, HttpClient Other)> OwnedByAgentAsync(bool resolved = false)
    {
        var c = await app.Agent.CaseAsync();
        c = await app.Agent.ActAsync(c.Id, "acknowledge");
        if (resolved)
        {
            await app.Agent.ActAsync(c.Id, "start");
            c = await app.Agent.ActAsync(c.Id, "resolve", new { resolution = "Apologised", apologyOnly = true });
        }

        var other = await app.ClientForUserAsync(app.Admin, await app.CreateUserAsync(app.Admin, Role.Agent, "bystander"));
        return (c, other);
    }

    public static TheoryData<string, string> WorkOnly => new()
    {
        { "start", "{}" },
        { "messages", """{"direction": "Out", "body": "Hello"}""" },
        { "severity", """{"severity": "High"}""" },
        { "escalations", """{"reason": "OwnerAskedForHelp"}""" },
        { "checklist/0", """{"done": true}""" },
        { "close", """{"outcome": "Withdrawn"}""" },
        { "promises", """{"text": "Tomorrow", "dueAt": "2099-01-01T10:00:00Z"}""" },
    };

    [Theory]
    [MemberData(nameof(WorkOnly))]
    public async Task An_agent_who_neither_owns_nor_covers_the_case_cannot_work_it(string action, string body)
    {
        var (c, other) = await OwnedByAgentAsync();

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await other.PostAsync($"/api/cases/{c.Id}/{action}", content, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "case.not_yours");
        Assert.Equal(c.Version, (await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}")).Version);
    }

    [Fact]
    public async Task Any_agent_may_add_a_note_and_read_the_case()
    {
        var (c, other) = await OwnedByAgentAsync();

        var noted = await other.ActAsync(c.Id, "notes", new { body = "I spoke to them at the counter" });

        Assert.Contains(noted.Timeline, e => e.Body == "I spoke to them at the counter");
        Assert.Equal(c.Id, (await other.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}")).Id);
    }

    [Fact]
    public async Task Reassigning_someone_else_s_case_needs_a_supervisor()
    {
        var (c, other) = await OwnedByAgentAsync();
        var me = await other.GetJsonAsync<UserDto>("/api/users/me");

        using var grab = await other.PostJsonAsync($"/api/cases/{c.Id}/assign", new { ownerId = me.Id });

        await grab.AssertProblemAsync(HttpStatusCode.Forbidden, "case.reassign_forbidden");
        var moved = await app.Supervisor.ActAsync(c.Id, "assign", new { ownerId = me.Id });
        Assert.Equal(me.Id, moved.OwnerId);
    }

    [Fact]
    public async Task Any_agent_may_take_an_unowned_case_but_not_hand_it_to_someone_else()
    {
        var c = await app.Admin.CaseAsync();
        var other = await app.ClientForUserAsync(app.Admin, await app.CreateUserAsync(app.Admin, Role.Agent, "taker"));
        var me = await other.GetJsonAsync<UserDto>("/api/users/me");

        using var handOut = await other.PostJsonAsync($"/api/cases/{c.Id}/assign", new { ownerId = app.AgentUser.Id });
        var taken = await other.ActAsync(c.Id, "assign", new { ownerId = me.Id });

        await handOut.AssertProblemAsync(HttpStatusCode.Forbidden, "case.assign_forbidden");
        Assert.Equal(me.Id, taken.OwnerId);
    }

    [Fact]
    public async Task Acknowledging_an_unowned_case_takes_it_and_an_owned_one_is_the_owner_s()
    {
        var unowned = await app.Admin.CaseAsync();
        var (owned, other) = await OwnedByAgentAsync();

        var taken = await other.ActAsync(unowned.Id, "acknowledge");
        using var refused = await other.PostJsonAsync($"/api/cases/{(await app.Agent.CaseAsync()).Id}/assign", new { ownerId = app.SupervisorUser.Id });

        Assert.NotNull(taken.OwnerId);
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "case.assign_forbidden");
        Assert.Equal(app.AgentUser.Id, (await other.GetJsonAsync<CaseDetail>($"/api/cases/{owned.Id}")).OwnerId);
    }

    [Fact]
    public async Task Follow_up_links_are_for_the_owner_and_supervisors_and_built_from_the_public_base_url()
    {
        var (c, other) = await OwnedByAgentAsync(resolved: true);

        using var forbidden = await other.GetAsync($"/api/cases/{c.Id}/follow-up/links", TestContext.Current.CancellationToken);
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{c.Id}/follow-up/links");
        spoofed.Headers.Host = "attacker.example";
        using var owner = await app.Agent.SendAsync(spoofed, TestContext.Current.CancellationToken);
        var supervisor = await app.Supervisor.GetJsonAsync<FeedbackLinks>($"/api/cases/{c.Id}/follow-up/links");

        await forbidden.AssertProblemAsync(HttpStatusCode.Forbidden, "case.not_yours");
        var links = await owner.ReadAsync<FeedbackLinks>();
        Assert.All(links.Links.Values, l => Assert.StartsWith(app.BaseAddress.ToString().TrimEnd('/') + "/feedback/", l, StringComparison.Ordinal));
        Assert.Equal(5, supervisor.Links.Count);
    }

    [Fact]
    public async Task Only_who_works_the_case_records_an_answer_and_it_shows_as_recorded_on_the_customer_s_behalf()
    {
        var (c, other) = await OwnedByAgentAsync(resolved: true);

        using var bystander = await other.PostJsonAsync($"/api/cases/{c.Id}/follow-up", new { score = 5 });
        var recorded = await app.Agent.ActAsync(c.Id, "follow-up", new { score = 5, comment = "Said so on the phone" });

        await bystander.AssertProblemAsync(HttpStatusCode.Forbidden, "case.not_yours");
        Assert.Equal(app.AgentUser.Id, recorded.FollowUpRecordedBy);
        var entry = Assert.Single(recorded.Timeline, e => e.Body?.StartsWith("Follow-up answer", StringComparison.Ordinal) == true);
        Assert.Contains($"recorded by {app.AgentUser.DisplayName} on the customer's behalf", entry.Body, StringComparison.Ordinal);
        Assert.Equal(app.AgentUser.Id, entry.ActorId);
    }

    [Fact]
    public async Task A_bystander_cannot_record_the_customer_s_choice_or_mark_a_remedy_fulfilled()
    {
        var (c, other) = await OwnedByAgentAsync();
        var offer = await app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{c.Id}/offers",
            new { options = new[] { new { type = "Gesture", amountMinor = 100L } }, reason = "sorry" });

        using var choice = await other.PostJsonAsync($"/api/offers/{offer.Id}/choice", new { optionId = offer.Options[0].Id });
        await app.Agent.PostJsonAsync<OfferDto>($"/api/offers/{offer.Id}/choice", new { optionId = offer.Options[0].Id });
        using var fulfil = await other.PostJsonAsync($"/api/offers/{offer.Id}/fulfil", new { reference = "R-9" });

        await choice.AssertProblemAsync(HttpStatusCode.Forbidden, "case.not_yours");
        await fulfil.AssertProblemAsync(HttpStatusCode.Forbidden, "case.not_yours");
    }

    [Fact]
    public async Task An_agent_opens_a_case_for_themselves_or_the_team_but_not_for_someone_else_to_own()
    {
        var customer = await app.Agent.CustomerAsync();

        using var forOther = await app.Agent.PostJsonAsync("/api/cases", new { customerId = customer.Id, category = "Other", summary = "For you", channel = "Email", ownerId = app.SupervisorUser.Id });
        var forMe = await app.Agent.CaseAsync(customer.Id, ownerId: app.AgentUser.Id);
        var bySupervisor = await app.Supervisor.CaseAsync(customer.Id, ownerId: app.AgentUser.Id);

        await forOther.AssertProblemAsync(HttpStatusCode.Forbidden, "case.assign_forbidden");
        Assert.Equal(app.AgentUser.Id, forMe.OwnerId);
        Assert.Equal(app.AgentUser.Id, bySupervisor.OwnerId);
    }

    [Fact]
    public async Task Agents_see_colleagues_names_and_teams_but_not_their_addresses()
    {
        var asAgent = await app.Agent.GetJsonAsync<List<UserDto>>("/api/users");
        var asAdmin = await app.Admin.GetJsonAsync<List<UserDto>>("/api/users");

        Assert.All(asAgent, u => Assert.Null(u.Email));
        Assert.Contains(asAgent, u => u.DisplayName == app.SupervisorUser.DisplayName && u.TeamId == app.Team.Id);
        Assert.All(asAdmin, u => Assert.NotNull(u.Email));
        Assert.NotNull((await app.Agent.GetJsonAsync<UserDto>("/api/users/me")).Email);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CaseAccessTestsOnSqlite(SqliteApp app) : CaseAccessTests(app);

[Collection(PostgresCollection.Name)]
public sealed class CaseAccessTestsOnPostgres(PostgresApp app) : CaseAccessTests(app);
