using System.Net;
using Amends.Domain.Cases;
using Amends.Domain.Playbooks;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Playbooks;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Playbooks;

public abstract class PlaybooksApiTests(TestApp app)
{
    [Fact]
    public async Task Every_failure_category_has_a_default_playbook_with_all_four_messages()
    {
        var playbooks = await app.Agent.GetJsonAsync<List<PlaybookDto>>("/api/playbooks");

        Assert.Equal(Enum.GetValues<FailureCategory>().Order(), playbooks.Select(p => p.Category).Order());
        Assert.All(playbooks, p =>
        {
            Assert.True(p.IsCurrent);
            Assert.NotEmpty(p.Steps);
            Assert.Equal(Enum.GetValues<TemplateKind>().Order(), p.Templates.Keys.Order());
            Assert.Equal(Enum.GetValues<Priority>().Order(), p.Sla.Keys.Order());
            Assert.NotEmpty(p.RecommendedRemedies);
        });
    }

    [Fact]
    public async Task A_new_case_gets_its_category_s_playbook_as_a_checklist_and_ticks_steps_off()
    {
        var c = await app.Agent.CaseAsync(category: "DefectiveProduct", ownerId: app.AgentUser.Id);
        var playbook = (await app.Agent.GetJsonAsync<List<PlaybookDto>>("/api/playbooks?category=DefectiveProduct")).Single();

        Assert.Equal(playbook.Id, c.PlaybookId);
        Assert.Equal(playbook.Steps, c.Checklist.Select(i => i.Step));

        var ticked = await app.Agent.ActAsync(c.Id, "checklist/1", new { done = true });
        Assert.NotNull(ticked.Checklist[1].DoneAt);
        Assert.Equal(app.AgentUser.DisplayName, ticked.Checklist[1].DoneByName);
        Assert.Contains(ticked.Timeline, e => e.Kind == TimelineEntryKind.ChecklistStep);

        using var missing = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/checklist/99", new { done = true });
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "case.step_not_found");
    }

    [Fact]
    public async Task Saving_a_playbook_makes_a_new_version_and_open_cases_keep_theirs()
    {
        var before = await app.Agent.CaseAsync(category: "MissedAppointment");
        var current = (await app.Agent.GetJsonAsync<List<PlaybookDto>>("/api/playbooks?category=MissedAppointment")).Single();

        var saved = await app.Admin.PostJsonAsync<PlaybookDto>("/api/playbooks", new
        {
            category = "MissedAppointment",
            name = current.Name + " (revised)",
            steps = current.Steps.Append("Send a handwritten card"),
            templates = current.Templates,
            recommendedRemedies = current.RecommendedRemedies,
            sla = current.Sla,
            followUpAfterDays = 5,
            followUpReminders = 2,
        });
        var after = await app.Agent.CaseAsync(category: "MissedAppointment");

        Assert.Equal(current.Version + 1, saved.Version);
        Assert.Equal(current.Version, (await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{before.Id}")).PlaybookVersion);
        Assert.Equal(saved.Version, after.PlaybookVersion);
        Assert.Equal("Send a handwritten card", after.Checklist[^1].Step);
        var history = await app.Agent.GetJsonAsync<List<PlaybookDto>>("/api/playbooks?category=MissedAppointment&allVersions=true");
        Assert.Equal(current.Version + 1, history.Count);
        Assert.Single(history, p => p.IsCurrent);
    }

    [Fact]
    public async Task Messages_are_in_the_customer_s_language_where_the_playbook_has_it_and_in_its_own_where_not()
    {
        var current = (await app.Agent.GetJsonAsync<List<PlaybookDto>>("/api/playbooks?category=WrongOrder")).Single();
        object Save(object translations) => new
        {
            category = "WrongOrder", name = current.Name, steps = current.Steps, templates = current.Templates, recommendedRemedies = current.RecommendedRemedies,
            sla = current.Sla, followUpAfterDays = current.FollowUpAfterDays, followUpReminders = current.FollowUpReminders, translations,
        };
        const string german = "Hallo {{customer.firstName|zusammen}}, es tut uns leid, dass Sie den falschen Artikel bekommen haben. {{owner.name}} kümmert sich darum.";
        var saved = await app.Admin.PostJsonAsync<PlaybookDto>("/api/playbooks", Save(new { de = new { Acknowledgement = german } }));
        Assert.Equal(german, saved.Translations["de"][TemplateKind.Acknowledgement]);

        // An Austrian customer gets the German message; what the playbook has only in its own language stays in it.
        var customer = await app.Agent.PostJsonAsync<Amends.Web.Features.Customers.CustomerDto>("/api/customers",
            new { name = "Jonas Weber", email = $"jonas-{Guid.NewGuid():N}@example.com", language = "de-at" });
        var c = await app.Agent.CaseAsync(customer.Id, category: "WrongOrder", ownerId: app.AgentUser.Id);
        var templates = await app.Agent.GetJsonAsync<List<RenderedTemplate>>($"/api/cases/{c.Id}/templates");
        Assert.StartsWith("Hallo Jonas, es tut uns leid", templates.Single(t => t.Kind == TemplateKind.Acknowledgement).Text, StringComparison.Ordinal);
        Assert.StartsWith("Hi Jonas,", templates.Single(t => t.Kind == TemplateKind.Resolution).Text, StringComparison.Ordinal);
        var english = await app.Agent.CaseAsync(category: "WrongOrder", ownerId: app.AgentUser.Id);
        Assert.DoesNotContain("Hallo", (await app.Agent.GetJsonAsync<List<RenderedTemplate>>($"/api/cases/{english.Id}/templates"))[0].Text, StringComparison.Ordinal);

        // So does the automatic update when the case is acknowledged, with one greeting.
        await app.Agent.ActAsync(c.Id, "acknowledge");
        var update = await Eventually.UntilAsync(
            async () => (await app.Supervisor.GetJsonAsync<Paged<Amends.Web.Features.Messaging.OutboxItem>>($"/api/outbox?caseId={c.Id}")).Items,
            items => items.Any(i => i.State is Amends.Domain.Messaging.OutboxState.Sent or Amends.Domain.Messaging.OutboxState.Delivered));
        var gone = update.Single(i => i.State is Amends.Domain.Messaging.OutboxState.Sent or Amends.Domain.Messaging.OutboxState.Delivered);
        var text = (await app.Supervisor.GetJsonAsync<Amends.Web.Features.Messaging.OutboxMessage>($"/api/outbox/{gone.Id}")).TextBody;
        Assert.Contains("Es tut uns leid, dass Sie den falschen Artikel bekommen haben.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hallo", text, StringComparison.Ordinal);

        using var badTag = await app.Admin.PostJsonAsync("/api/playbooks", Save(new Dictionary<string, object> { ["German"] = new { Acknowledgement = "Hallo" } }));
        await badTag.AssertProblemAsync(HttpStatusCode.BadRequest, "playbook.language_invalid");
        using var badField = await app.Admin.PostJsonAsync("/api/playbooks", Save(new { fr = new { Resolution = "Bonjour {{customer.shoeSize}}" } }));
        var problem = await badField.AssertProblemAsync(HttpStatusCode.BadRequest, "playbook.merge_field_unknown");
        Assert.NotEmpty(problem.FieldErrors("translations.fr.Resolution"));
    }

    [Fact]
    public async Task An_unknown_merge_field_is_refused_on_its_template()
    {
        var current = (await app.Agent.GetJsonAsync<List<PlaybookDto>>("/api/playbooks?category=Other")).Single();
        var templates = current.Templates.ToDictionary(t => t.Key, t => t.Value);
        templates[TemplateKind.Acknowledgement] = "Hi {{customer.shoeSize}}";

        using var response = await app.Admin.PostJsonAsync("/api/playbooks", new
        {
            category = "Other", name = "Broken", steps = current.Steps, templates, recommendedRemedies = current.RecommendedRemedies, sla = current.Sla,
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "playbook.merge_field_unknown");
        Assert.NotEmpty(problem.FieldErrors("templates.Acknowledgement"));
    }

    [Fact]
    public async Task Templates_are_rendered_for_the_case_with_fallbacks()
    {
        var customer = await app.Agent.CustomerAsync("Maya Lindqvist");
        var c = await app.Agent.CaseAsync(customer.Id, category: "LateDelivery", summary: "Parcel stuck at the depot");
        await app.Agent.ActAsync(c.Id, "assign", new { ownerId = app.AgentUser.Id });

        var templates = await app.Agent.GetJsonAsync<List<RenderedTemplate>>($"/api/cases/{c.Id}/templates");

        var ack = templates.Single(t => t.Kind == TemplateKind.Acknowledgement).Text;
        Assert.StartsWith("Hi Maya,", ack, StringComparison.Ordinal);
        Assert.Contains(app.AgentUser.DisplayName, ack, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", ack, StringComparison.Ordinal);
        // The satisfaction check goes out automatically: it must not quote the team's own summary of the case to the customer.
        var ask = templates.Single(t => t.Kind == TemplateKind.FollowUp).Text;
        Assert.StartsWith("Hi Maya, a few days ago we put right what went wrong for you.", ask, StringComparison.Ordinal);
        Assert.DoesNotContain("depot", ask, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_promise_is_recorded_listed_and_kept()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var due = TimeProvider.System.GetUtcNow().AddDays(2);

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/promises", new { text = "Replacement delivered", dueAt = due });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var promise = await response.ReadAsync<PromiseDto>();
        Assert.Equal(PromiseStatus.Open, promise.Status);
        Assert.Equal(due.UtcDateTime.AddHours(-2), promise.RemindAt, TimeSpan.FromMilliseconds(1));

        var kept = await app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises/{promise.Id}/kept", null);
        Assert.Equal(PromiseStatus.Kept, kept.Status);
        var list = await app.Agent.GetJsonAsync<List<PromiseDto>>($"/api/cases/{c.Id}/promises");
        Assert.Equal(PromiseStatus.Kept, Assert.Single(list).Status);

        using var again = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/promises/{promise.Id}/kept", null);
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "promise.settled");
    }

    [Fact]
    public async Task A_promise_in_the_past_is_refused_on_the_field()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/promises", new { text = "Yesterday", dueAt = TimeProvider.System.GetUtcNow().AddHours(-1) });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "promise.due_in_past");
        Assert.NotEmpty(problem.FieldErrors("dueAt"));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class PlaybooksApiTestsOnSqlite(SqliteApp app) : PlaybooksApiTests(app);

[Collection(PostgresCollection.Name)]
public sealed class PlaybooksApiTestsOnPostgres(PostgresApp app) : PlaybooksApiTests(app);
