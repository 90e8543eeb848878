using System.Net;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Signals;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Signals;

/// <summary>
/// Behaviour detection through the real API on both databases: a spike of late deliveries at one depot becomes an
/// incident (an ordinary week at another does not), and from it one call opens cases or messages everyone; a regular
/// buyer who stopped gets a risk signal from the purchase model and steady buyers do not. Each test uses its own
/// depots and customers, so the shared app's other signals do not count.
/// </summary>
public abstract class BehaviourTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private static object Late(string location, string email, DateTimeOffset at) => new
    {
        source = "shop", externalId = Unique("late"), kind = "Behaviour", @event = "DeliveryLate", occurredAt = at, location,
        customer = new { email, name = "Robin " + email[..6] },
    };

    private async Task BatchAsync(IEnumerable<object> items)
    {
        foreach (var chunk in items.Chunk(500))
        {
            var result = await app.Agent.PostJsonAsync<SignalBatchResult>("/api/signals/batch", new { items = chunk });
            Assert.Equal(0, result.Invalid);
        }
    }

    [Fact]
    public async Task A_spike_at_one_depot_becomes_an_incident_and_one_call_reaches_everyone_it_hit()
    {
        var depot = Unique("Depot");
        var steady = Unique("Depot");
        var items = new List<object>();

        // The four weeks before: one late delivery at the depot in the same hours of the week, two at the steady one.
        for (var week = 1; week <= 4; week++)
        {
            var then = Now.AddDays(-7 * week).AddHours(-3);
            items.Add(Late(depot, Unique("past") + "@example.com", then));
            items.Add(Late(steady, Unique("past") + "@example.com", then));
            items.Add(Late(steady, Unique("past") + "@example.com", then.AddMinutes(30)));
        }

        // Now: eight customers at the depot (one twice), two at the steady one, as usual.
        var hit = Enumerable.Range(0, 8).Select(i => Unique("hit" + i) + "@example.com").ToList();
        items.AddRange(hit.Select((email, i) => Late(depot, email, Now.AddMinutes(-10 - 20 * i))));
        items.Add(Late(depot, hit[0], Now.AddMinutes(-5)));
        items.Add(Late(steady, Unique("now") + "@example.com", Now.AddHours(-1)));
        items.Add(Late(steady, Unique("now") + "@example.com", Now.AddHours(-2)));
        await BatchAsync(items);

        // Two of them wrote to us: they complained before anyone reached them.
        foreach (var email in hit.Take(2))
        {
            await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
            {
                source = "chat", externalId = Unique("m"), kind = "Message", occurredAt = Now, customer = new { email },
                text = "My parcel is late again and nobody answers. I want a refund.",
            });
        }

        using (var forbidden = await app.Agent.PostJsonAsync("/api/incidents/check", new { }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        var check = await app.Admin.PostJsonAsync<IncidentCheck>("/api/incidents/check", new { });
        Assert.True(check.Opened >= 1, $"{check}");
        var open = await app.Agent.GetJsonAsync<Paged<IncidentItem>>("/api/incidents?status=Open&pageSize=200");
        Assert.DoesNotContain(open.Items, i => i.Key == steady);
        var incident = Assert.Single(open.Items, i => i.Key == depot);
        Assert.Equal((IncidentDimension.Location, 8, 8), (incident.Dimension, incident.Observed, incident.Affected));
        Assert.InRange(incident.Expected, 1, 1.2);
        Assert.True(incident.PValue < 0.001, $"p {incident.PValue}");
        Assert.StartsWith($"8 customers had a problem in \"{depot}\" in 6 hours, where 1.1 is usual", incident.Reason);

        var detail = await app.Agent.GetJsonAsync<IncidentDetail>($"/api/incidents/{incident.Id}");
        Assert.Equal((2, 8), (detail.Complained, detail.Customers.Total));
        Assert.Equal(8, detail.Customers.Items.Select(c => c.CustomerId).Distinct().Count());
        Assert.All(detail.Customers.Items, c => Assert.StartsWith("Robin ", c.Name));
        Assert.Equal(2, detail.Customers.Items.Count(c => c.Complained));

        // Looking again opens nothing new and adds no one twice.
        await app.Admin.PostJsonAsync<IncidentCheck>("/api/incidents/check", new { });
        Assert.Single((await app.Agent.GetJsonAsync<Paged<IncidentItem>>("/api/incidents?status=Open&pageSize=200")).Items, i => i.Key == depot);
        Assert.Equal(8, (await app.Agent.GetJsonAsync<IncidentDetail>($"/api/incidents/{incident.Id}")).Incident.Affected);

        // Cases for all: those who complained already have one; a second call opens none.
        using (var agentOpens = await app.Agent.PostJsonAsync($"/api/incidents/{incident.Id}/open-cases", new { }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, agentOpens.StatusCode);
        }

        var opened = await app.Supervisor.PostJsonAsync<IncidentActionResult>($"/api/incidents/{incident.Id}/open-cases", new { });
        Assert.Equal(8, opened.Done + opened.Skipped);
        Assert.True(opened.Done >= 6, $"{opened.Done} opened");
        Assert.All(opened.Skips, s => Assert.StartsWith("Already has an open case", s.Reason));
        Assert.NotNull(opened.Incident.CasesOpenedAt);
        detail = await app.Agent.GetJsonAsync<IncidentDetail>($"/api/incidents/{incident.Id}");
        Assert.Equal(8, detail.WithOpenCase);
        var fromIncident = detail.Customers.Items.First(c => c.IncidentCaseId is not null);
        var theirCase = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{fromIncident.IncidentCaseId}");
        Assert.Equal($"Affected by an incident: Location \"{depot}\"", theirCase.Summary);
        Assert.Contains(theirCase.Timeline, e => e.Kind == Amends.Domain.Cases.TimelineEntryKind.Note && e.Body!.Contains("before they complained", StringComparison.Ordinal));
        Assert.Equal(0, (await app.Supervisor.PostJsonAsync<IncidentActionResult>($"/api/incidents/{incident.Id}/open-cases", new { })).Done);

        // A message to all, filled per customer; a merge field it does not know is refused; a second send reaches no one twice.
        using (var unknown = await app.Supervisor.PostJsonAsync($"/api/incidents/{incident.Id}/message", new { subject = "Your delivery", body = "Hi {{owner.name}}" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        var sent = await app.Supervisor.PostJsonAsync<IncidentActionResult>($"/api/incidents/{incident.Id}/message", new
        {
            subject = "Your delivery is late, and we are sorry",
            body = "Hi {{customer.firstName|there}}, our depot has a problem and your parcel is late. It will reach you by Friday.",
        });
        Assert.Equal((8, 0), (sent.Done, sent.Skipped));
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            var message = await db.Outbox.AsNoTracking().SingleAsync(m => m.To == hit[3] && m.Kind == MessageKind.Proactive, Ct);
            Assert.Equal((null, "Your delivery is late, and we are sorry"), (message.CaseId, message.Subject));
            Assert.StartsWith("Hi Robin,", message.TextBody);
        }

        Assert.Equal(0, (await app.Supervisor.PostJsonAsync<IncidentActionResult>($"/api/incidents/{incident.Id}/message", new { subject = "Again", body = "Again" })).Done);

        // Another customer hit later joins the open incident; closing it stops it and its actions.
        await BatchAsync([Late(depot, Unique("later") + "@example.com", Now.AddMinutes(-1))]);
        Assert.True((await app.Admin.PostJsonAsync<IncidentCheck>("/api/incidents/check", new { })).CustomersAdded >= 1);
        detail = await app.Agent.GetJsonAsync<IncidentDetail>($"/api/incidents/{incident.Id}");
        Assert.Equal((9, 8), (detail.Incident.Affected, detail.Messaged));
        using (var stale = await app.Supervisor.PostJsonAsync($"/api/incidents/{incident.Id}/close", new { }, ifMatch: "\"1\""))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        }

        var closed = await app.Supervisor.PostJsonAsync<IncidentItem>($"/api/incidents/{incident.Id}/close", new { });
        Assert.Equal(IncidentStatus.Closed, closed.Status);

        // Its customers are still in the window: looking again does not open it a second time.
        await app.Admin.PostJsonAsync<IncidentCheck>("/api/incidents/check", new { });
        Assert.DoesNotContain((await app.Agent.GetJsonAsync<Paged<IncidentItem>>("/api/incidents?status=Open&pageSize=200")).Items, i => i.Key == depot);
        using var afterClose = await app.Supervisor.PostJsonAsync($"/api/incidents/{incident.Id}/open-cases", new { });
        Assert.Equal(HttpStatusCode.Conflict, afterClose.StatusCode);
        using var missing = await app.Agent.GetAsync($"/api/incidents/{Guid.NewGuid()}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_regular_buyer_who_stopped_gets_a_risk_signal_and_steady_buyers_do_not()
    {
        object Order(string email, DateTimeOffset at) => new
        {
            source = "shop", externalId = Unique("order"), kind = "Behaviour", @event = "OrderPlaced", occurredAt = at, value = 40m, customer = new { email },
        };

        // Thirty who order every week, the last this week; one who ordered every week for twenty weeks and then stopped
        // twenty weeks ago; one who ordered twice.
        var steady = Enumerable.Range(0, 30).Select(i => Unique("steady" + i) + "@example.com").ToList();
        var stopped = Unique("stopped") + "@example.com";
        var occasional = Unique("twice") + "@example.com";
        var items = new List<object>();
        foreach (var email in steady)
        {
            items.AddRange(Enumerable.Range(0, 20).Select(w => Order(email, Now.AddDays(-2 - 7 * w))));
        }

        items.AddRange(Enumerable.Range(0, 20).Select(w => Order(stopped, Now.AddDays(-7 * 20 - 7 * w))));
        items.Add(Order(occasional, Now.AddDays(-60)));
        items.Add(Order(occasional, Now.AddDays(-30)));
        await BatchAsync(items);

        var check = await app.Admin.PostJsonAsync<ChurnCheck>("/api/detection/churn-check", new { });
        Assert.True(check.Fitted, $"{check}");
        Assert.NotNull(check.Model);
        Assert.True(check.Stored >= 1, $"{check}");

        async Task<List<SignalDto>> SignalsOf(string email)
        {
            await using var scope = app.Scope();
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            var id = await db.Customers.Where(c => c.Email == email).Select(c => c.Id).SingleAsync(Ct);
            return [.. (await app.Agent.GetJsonAsync<Paged<SignalDto>>($"/api/signals?customerId={id.Value}&pageSize=200")).Items];
        }

        var flagged = Assert.Single(await SignalsOf(stopped), s => s.Event == BehaviourEvent.PurchasesStopped);
        Assert.Equal("amends", flagged.Source);
        var cue = Assert.Single(flagged.Cues);
        Assert.Equal("purchases_stopped", cue.Code);
        Assert.Matches(@"^Bought regularly and has stopped: only \d+\s?% likely still a customer\.$", cue.Text);
        Assert.InRange(flagged.Value!.Value, 0m, 0.3m);
        Assert.True(flagged.Risk >= 40, $"risk {flagged.Risk}");
        foreach (var email in steady.Take(5).Append(occasional))
        {
            Assert.DoesNotContain(await SignalsOf(email), s => s.Event == BehaviourEvent.PurchasesStopped);
        }

        // The same silence is not flagged twice; a source cannot send the derived event itself.
        await app.Admin.PostJsonAsync<ChurnCheck>("/api/detection/churn-check", new { });
        Assert.Single(await SignalsOf(stopped), s => s.Event == BehaviourEvent.PurchasesStopped);
        using var derived = await app.Agent.PostJsonAsync("/api/signals", new
        {
            source = "shop", externalId = Unique("x"), kind = "Behaviour", @event = "PurchasesStopped", occurredAt = Now, customer = new { email = stopped },
        });
        Assert.Equal(HttpStatusCode.BadRequest, derived.StatusCode);
        Assert.Contains("signal.event_derived", await derived.Content.ReadAsStringAsync(Ct));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class BehaviourTestsOnSqlite(SqliteApp app) : BehaviourTests(app);

[Collection(PostgresCollection.Name)]
public sealed class BehaviourTestsOnPostgres(PostgresApp app) : BehaviourTests(app);
