using System.Net;
using Amends.Domain.Cases;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Features.Remedies;
using Amends.Web.Features.Signals;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Customers;

/// <summary>Two records of one person become one: cases, signals and contact points move, the duplicate leads to the survivor.</summary>
public abstract class CustomerMergeTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_duplicate_s_cases_signals_and_missing_contact_points_move_to_the_customer_kept()
    {
        // The survivor came in by e-mail; the duplicate by a signal with a phone and the shop's id, and it has a case of its own.
        var email = Unique("dora") + "@example.com";
        var survivor = await app.Agent.PostJsonAsync<CustomerDto>("/api/customers", new { name = "Dora Double", email, tier = "Silver", lifetimeValue = new { minor = 10_000, currency = "EUR" } });
        var shopId = Unique("shop");
        var phone = "+44 7700 " + Random.Shared.Next(100000, 999999);
        var signal = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "survey-tool", externalId = Unique("nps"), kind = "Survey", surveyType = "Nps", score = 1, occurredAt = TimeProvider.System.GetUtcNow(),
            customer = new { externalId = shopId, phone, name = "D. Double" }, text = "Third time the order is wrong. I am cancelling my account.",
        });
        Assert.Equal(SignalAction.Opened, signal.Action);
        var duplicateId = (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{signal.SignalId}")).CustomerId;
        Assert.NotEqual(survivor.Id, duplicateId);

        var merged = await app.Supervisor.PostJsonAsync<MergeResult>($"/api/customers/{survivor.Id}/merge", new { duplicateId });
        Assert.Equal((1, 1, duplicateId), (merged.Cases, merged.Signals, merged.DuplicateId));
        Assert.Equal((email, phone, Amends.Domain.Customers.ValueTier.Silver), (merged.Customer.Email, merged.Customer.Phone, merged.Customer.Tier));

        // The case moved, and says so; the signal is the survivor's; the duplicate leads to the survivor and is not listed.
        var moved = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{signal.CaseId}");
        Assert.Equal(survivor.Id, moved.Customer.Id);
        var note = Assert.Single(moved.Timeline, e => e.Kind == TimelineEntryKind.CustomerMerged);
        Assert.Contains("\"D. Double\" and \"Dora Double\" were found to be one person", note.Body);
        Assert.Equal(app.SupervisorUser.Id, note.ActorId);
        var detail = await app.Agent.GetJsonAsync<CustomerDetail>($"/api/customers/{survivor.Id}");
        Assert.Contains(detail.Cases, c => c.Id == signal.CaseId);
        Assert.Single((await app.Agent.GetJsonAsync<Paged<SignalDto>>($"/api/signals?customerId={survivor.Id}")).Items);
        Assert.Equal(survivor.Id, (await app.Agent.GetJsonAsync<CustomerDetail>($"/api/customers/{duplicateId}")).Customer.MergedIntoId);
        Assert.DoesNotContain((await app.Agent.GetJsonAsync<Paged<CustomerDto>>("/api/customers?q=Double")).Items, c => c.Id == duplicateId);

        // A later signal naming the shop's id (which moved) or a later one naming the phone finds the survivor.
        var later = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "shop", externalId = Unique("b"), kind = "Behaviour", @event = "OrderPlaced", occurredAt = TimeProvider.System.GetUtcNow(), customer = new { externalId = shopId },
        });
        Assert.Equal(survivor.Id, (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{later.SignalId}")).CustomerId);

        // On the ledger, with the counts.
        var entry = (await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>("/api/ledger?action=customer.merged&pageSize=500")).Items.Single(e => e.Subject == $"customer:{survivor.Id}");
        Assert.Equal(app.SupervisorUser.Id, entry.ActorId);
    }

    [Fact]
    public async Task A_record_merged_already_or_itself_cannot_be_merged_and_agents_may_not_merge()
    {
        var a = await app.Agent.CustomerAsync();
        var b = await app.Agent.CustomerAsync();
        var c = await app.Agent.CustomerAsync();
        using (var self = await app.Supervisor.PostJsonAsync($"/api/customers/{a.Id}/merge", new { duplicateId = a.Id }))
        {
            await self.AssertProblemAsync(HttpStatusCode.BadRequest, "customer.merge_self");
        }

        using (var agent = await app.Agent.PostJsonAsync($"/api/customers/{a.Id}/merge", new { duplicateId = b.Id }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, agent.StatusCode);
        }

        using (var missing = await app.Supervisor.PostJsonAsync($"/api/customers/{a.Id}/merge", new { duplicateId = Guid.NewGuid() }))
        {
            await missing.AssertProblemAsync(HttpStatusCode.NotFound, "customer.not_found");
        }

        // b into a; then c into b (merged already) is refused, and so is b again; both of the second record's e-mails stay unique.
        var merged = await app.Supervisor.PostJsonAsync<MergeResult>($"/api/customers/{a.Id}/merge", new { duplicateId = b.Id });
        Assert.Equal(a.Email, merged.Customer.Email);
        using (var again = await app.Supervisor.PostJsonAsync($"/api/customers/{a.Id}/merge", new { duplicateId = b.Id }))
        {
            await again.AssertProblemAsync(HttpStatusCode.Conflict, "customer.already_merged");
        }

        using (var intoMerged = await app.Supervisor.PostJsonAsync($"/api/customers/{b.Id}/merge", new { duplicateId = c.Id }))
        {
            await intoMerged.AssertProblemAsync(HttpStatusCode.Conflict, "customer.already_merged");
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CustomerMergeTestsOnSqlite(SqliteApp app) : CustomerMergeTests(app);

[Collection(PostgresCollection.Name)]
public sealed class CustomerMergeTestsOnPostgres(PostgresApp app) : CustomerMergeTests(app);
