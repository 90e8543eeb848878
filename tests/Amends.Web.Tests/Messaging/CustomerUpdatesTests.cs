using System.Net;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Messaging;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Messaging;

/// <summary>Keeping the customer informed without being asked: automatic updates, coalesced, quiet at night, opted out of.</summary>
public abstract class CustomerUpdatesTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Acknowledging_tells_the_customer_who_looks_after_them_and_the_message_is_on_the_timeline()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        var acknowledged = await app.Agent.ActAsync(c.Id, "acknowledge");

        var update = Assert.Single(await MessagesAsync(c.Id));
        Assert.Equal(MessageKind.Update, update.Kind);
        Assert.True(update.Automatic);
        Assert.Contains(app.AgentUser.DisplayName.Split(' ')[0], update.TextBody);
        Assert.Contains("stop automatic updates on that page", update.TextBody);
        Assert.NotNull(update.UnsubscribeUrl);
        var entry = Assert.Single(acknowledged.Timeline, e => e.Kind == TimelineEntryKind.MessageOut);
        Assert.Equal(update.Id, entry.MessageId);
        Assert.True(entry.Delivery!.Automatic);
        Assert.Equal(OutboxState.Delivered, (await WaitAsync(update.Id, OutboxState.Delivered)).State);
    }

    [Fact]
    public async Task Changes_in_quick_succession_make_one_message_with_the_latest_state()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);

        await app.Agent.ActAsync(c.Id, "acknowledge");
        await app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises", new { text = "A new parcel with you", dueAt = TimeProvider.System.GetUtcNow().AddDays(2) });

        var update = Assert.Single(await MessagesAsync(c.Id));
        Assert.Contains("Our next step: A new parcel with you, by", update.TextBody);
        Assert.Contains(app.AgentUser.DisplayName.Split(' ')[0], update.TextBody);
        var sent = await WaitAsync(update.Id, OutboxState.Delivered);
        Assert.Contains("Our next step", sent.TextBody);

        // Once it went, the next change is a message of its own.
        await app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises", new { text = "A call from the depot", dueAt = TimeProvider.System.GetUtcNow().AddDays(1) });
        Assert.Equal(2, (await MessagesAsync(c.Id)).Count);
    }

    [Fact]
    public async Task A_customer_who_opts_out_with_one_click_gets_no_more_automatic_messages_but_replies_still_go()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        await app.Agent.ActAsync(c.Id, "acknowledge");
        var first = Assert.Single(await MessagesAsync(c.Id));

        using var oneClick = await app.Anonymous.PostAsync(first.UnsubscribeUrl,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }), Ct);
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);

        await app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises", new { text = "Parcel", dueAt = TimeProvider.System.GetUtcNow().AddDays(2) });
        var reply = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "A personal word" });

        var messages = await MessagesAsync(c.Id);
        Assert.Equal(2, messages.Count);
        Assert.Contains(messages, m => m.Id == reply.Message!.Id);
        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        var consent = Assert.Single(after.Timeline, e => e.Kind == TimelineEntryKind.Consent);
        Assert.Equal("The customer opted out of automatic updates: with one click in their mail program", consent.Body);
        var customer = await app.Agent.GetJsonAsync<Amends.Web.Features.Customers.CustomerDetail>($"/api/customers/{c.Customer.Id}");
        Assert.False(customer.Customer.AutomaticUpdates);
    }

    [Fact]
    public async Task In_the_team_s_quiet_period_an_update_waits_until_it_ends_unless_the_case_is_urgent()
    {
        // A team whose quiet period is the hour around now, in UTC (the customer's own time zone).
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var from = TimeOnly.FromDateTime(now.AddMinutes(-30));
        var until = TimeOnly.FromDateTime(now.AddMinutes(30));
        var team = await app.Admin.PostJsonAsync<Amends.Web.Features.Admin.TeamDto>("/api/teams", new { name = "Quiet " + Guid.NewGuid().ToString("N")[..6], quiet = new { from, until } });
        var customer = await app.Agent.PostJsonAsync<Amends.Web.Features.Customers.CustomerDto>("/api/customers",
            new { name = "Night Owl", email = $"owl-{Guid.NewGuid():N}@example.com", timeZone = "Etc/UTC" });
        var calm = await app.Supervisor.CaseAsync(customerId: customer.Id, teamId: team.Id, ownerId: app.SupervisorUser.Id, severity: "Low");
        var platinum = await app.Agent.PostJsonAsync<Amends.Web.Features.Customers.CustomerDto>("/api/customers",
            new { name = "Night Owl Platinum", email = $"owl-{Guid.NewGuid():N}@example.com", timeZone = "Etc/UTC", tier = "Platinum" });
        var urgent = await app.Supervisor.CaseAsync(customerId: platinum.Id, teamId: team.Id, ownerId: app.SupervisorUser.Id, severity: "Critical");

        await app.Supervisor.ActAsync(calm.Id, "acknowledge");
        await app.Supervisor.ActAsync(urgent.Id, "acknowledge");

        var waiting = Assert.Single(await MessagesAsync(calm.Id));
        Assert.InRange(waiting.NextAttemptAt, now.AddMinutes(29), now.AddMinutes(31));
        Assert.NotEqual(Priority.Urgent, calm.Priority);
        var going = Assert.Single(await MessagesAsync(urgent.Id));
        Assert.Equal(Priority.Urgent, urgent.Priority);
        Assert.True(going.NextAttemptAt < now.AddMinutes(1), $"due {going.NextAttemptAt:O}");
    }

    [Fact]
    public async Task A_bad_time_zone_or_quiet_period_is_a_field_error()
    {
        using var zone = await app.Agent.PostJsonAsync("/api/customers", new { name = "Nowhere", timeZone = "Mars/Olympus" });
        var problem = await zone.AssertProblemAsync(HttpStatusCode.BadRequest, "customer.time_zone_invalid");
        Assert.NotEmpty(problem.FieldErrors("timeZone"));

        using var quiet = await app.Admin.PostJsonAsync("/api/teams", new { name = "Half " + Guid.NewGuid().ToString("N")[..6], quiet = new { from = "21:00" } });
        Assert.NotEmpty((await quiet.AssertProblemAsync(HttpStatusCode.BadRequest, "team.quiet_hours_invalid")).FieldErrors("quiet.from"));
    }

    private async Task<List<OutboundMessage>> MessagesAsync(Guid caseId)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        return await db.Outbox.AsNoTracking().Where(m => m.CaseId == new CaseId(caseId)).OrderBy(m => m.CreatedAt).ToListAsync(Ct);
    }

    private async Task<OutboundMessage> WaitAsync(Guid id, OutboxState state)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var scope = app.Scope();
            var m = await scope.ServiceProvider.GetRequiredService<AmendsDbContext>().Outbox.AsNoTracking().SingleAsync(x => x.Id == id, Ct);
            if (m.State == state || waited.Elapsed > TimeSpan.FromSeconds(20))
            {
                return m;
            }

            await Task.Delay(100, Ct);
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CustomerUpdatesTestsOnSqlite(SqliteApp app) : CustomerUpdatesTests(app);

[Collection(PostgresCollection.Name)]
public sealed class CustomerUpdatesTestsOnPostgres(PostgresApp app) : CustomerUpdatesTests(app);
