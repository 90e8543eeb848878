using System.Net;
using Amends.Domain.Common;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Cases;

public abstract class ConcurrencyTests(TestApp app)
{
    [Fact]
    public async Task Two_updates_from_the_same_version_one_wins_and_one_gets_409()
    {
        var c = await app.Agent.CaseAsync();
        var version = $"\"{c.Version}\"";

        using var first = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/notes", new { body = "First writer" }, ifMatch: version);
        using var second = await app.Supervisor.PostJsonAsync($"/api/cases/{c.Id}/acknowledge", null, ifMatch: version);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await second.AssertProblemAsync(HttpStatusCode.Conflict, "concurrency.stale");
        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(Amends.Domain.Cases.CaseStatus.New, after.Status);
    }

    [Fact]
    public async Task Parallel_updates_from_the_same_version_let_exactly_one_through()
    {
        var c = await app.Agent.CaseAsync();
        var version = $"\"{c.Version}\"";

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            app.Agent.PostJsonAsync($"/api/cases/{c.Id}/notes", new { body = $"writer {i}" }, ifMatch: version)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Single(after.Timeline, e => e.Kind == Amends.Domain.Cases.TimelineEntryKind.Note);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Parallel_updates_that_name_no_version_all_land()
    {
        var c = await app.Agent.CaseAsync();

        // Without If-Match the caller asked for the change on the case as it is: a lost race is applied again, not refused.
        // Each writer can lose only to the three others, so its five attempts are always enough.
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            app.Agent.PostJsonAsync($"/api/cases/{c.Id}/notes", new { body = $"unversioned writer {i}" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(4, after.Timeline.Count(e => e.Kind == Amends.Domain.Cases.TimelineEntryKind.Note));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_version_column_guards_the_database_write_itself()
    {
        var c = await app.Agent.CaseAsync();
        var actor = new Actor(new UserId(app.AgentUser.Id), "Agent Tester");
        var now = TimeProvider.System.GetUtcNow();

        await using var scopeA = app.Scope();
        await using var scopeB = app.Scope();
        var dbA = scopeA.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var dbB = scopeB.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var caseA = await dbA.Cases.SingleAsync(x => x.Id == new CaseId(c.Id), TestContext.Current.CancellationToken);
        var caseB = await dbB.Cases.SingleAsync(x => x.Id == new CaseId(c.Id), TestContext.Current.CancellationToken);

        caseA.AddNote(actor, "A", now);
        caseB.AddNote(actor, "B", now);
        await dbA.SaveChangesAsync(TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => dbB.SaveChangesAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_malformed_If_Match_is_a_400()
    {
        var c = await app.Agent.CaseAsync();

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/acknowledge", null, ifMatch: "\"abc\"");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "concurrency.if_match_invalid");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class ConcurrencyTestsOnSqlite(SqliteApp app) : ConcurrencyTests(app);

[Collection(PostgresCollection.Name)]
public sealed class ConcurrencyTestsOnPostgres(PostgresApp app) : ConcurrencyTests(app);
