using System.Net;
using System.Text.Json;
using Amends.Domain.Remedies;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Features.Remedies;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Customers;

/// <summary>A customer's data on request: one JSON export of everything, and erasure that anonymises and keeps the figures.</summary>
public abstract class CustomerDataTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(CustomerDto Customer, CaseDetail Case)> CustomerWithHistoryAsync()
    {
        var customer = await app.Agent.PostJsonAsync<CustomerDto>("/api/customers", new
        {
            name = "Ingrid Private", email = $"ingrid-{Guid.NewGuid():N}@example.com", phone = "+44 7700 900123",
        });
        var c = await app.Agent.CaseAsync(customer.Id, ownerId: app.AgentUser.Id, summary: "Broken kettle");
        await app.Agent.ActAsync(c.Id, "messages", new { direction = "In", body = "My kettle from order 5521 leaks, I live at 4 Elm Road" });
        await app.Agent.ActAsync(c.Id, "notes", new { body = "Checked the batch" });
        await app.Agent.ActAsync(c.Id, "acknowledge");
        await app.Agent.ActAsync(c.Id, "start");
        await app.Agent.ActAsync(c.Id, "resolve", new { resolution = "Replacement sent", apologyOnly = true });
        c = await app.Agent.ActAsync(c.Id, "follow-up", new { score = 5, comment = "Thanks, Ingrid" });
        return (customer, c);
    }

    [Fact]
    public async Task An_export_holds_the_profile_the_cases_and_the_messages()
    {
        var (customer, c) = await CustomerWithHistoryAsync();

        using var response = await app.Admin.GetAsync($"/api/customers/{customer.Id}/export", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString() ?? "", StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal("Ingrid Private", root.GetProperty("customer").GetProperty("name").GetString());
        var exported = Assert.Single(root.GetProperty("cases").EnumerateArray());
        Assert.Equal(c.Id, exported.GetProperty("id").GetGuid());
        Assert.Contains(exported.GetProperty("messages").EnumerateArray(), m => m.GetProperty("body").GetString()!.Contains("Elm Road", StringComparison.Ordinal));
        Assert.Equal("Thanks, Ingrid", exported.GetProperty("followUpComment").GetString());
        Assert.DoesNotContain("Checked the batch", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_needs_the_customer_s_id_as_confirmation()
    {
        var (customer, _) = await CustomerWithHistoryAsync();

        using var response = await app.Admin.PostJsonAsync($"/api/customers/{customer.Id}/erase", new { confirm = "yes" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "customer.erase_unconfirmed");
        Assert.Equal("Ingrid Private", (await app.Admin.GetJsonAsync<CustomerDetail>($"/api/customers/{customer.Id}")).Customer.Name);
    }

    [Fact]
    public async Task Erasure_anonymises_the_person_everywhere_and_keeps_the_case_figures_and_the_ledger_whole()
    {
        var (customer, c) = await CustomerWithHistoryAsync();

        var erased = await app.Admin.PostJsonAsync<ErasureResult>($"/api/customers/{customer.Id}/erase", new { confirm = customer.Id.ToString(), reason = "Asked by e-mail" });

        Assert.Equal(1, erased.Cases);
        Assert.Equal(2, erased.MessagesErased); // their message, and their follow-up answer with its comment (the score stays on the case)
        var detail = await app.Admin.GetJsonAsync<CustomerDetail>($"/api/customers/{customer.Id}");
        Assert.Equal(Amends.Domain.Customers.Customer.ErasedName, detail.Customer.Name);
        Assert.Null(detail.Customer.Email);
        Assert.Null(detail.Customer.Phone);
        var found = await app.Admin.GetJsonAsync<Paged<CustomerDto>>($"/api/customers?q={Uri.EscapeDataString(customer.Email!)}");
        Assert.Equal(0, found.Total);

        var after = await app.Admin.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(c.Outcome, after.Outcome);
        Assert.Equal(5, after.FollowUpScore);
        Assert.Null(after.FollowUpComment);
        var timeline = await app.Admin.GetJsonAsync<Paged<TimelineItem>>($"/api/cases/{c.Id}/timeline?pageSize=500");
        Assert.DoesNotContain(timeline.Items, e => e.Body?.Contains("Elm Road", StringComparison.Ordinal) == true);
        Assert.Contains(timeline.Items, e => e.Body == CustomerData.ErasedText);

        // What we sent them (automatic updates here) stays counted in the outbox, without their address or the words.
        await using (var scope = app.Scope())
        {
            var db = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Amends.Web.Persistence.AmendsDbContext>(scope.ServiceProvider);
            var sent = db.Outbox.Where(m => m.CustomerId == new Amends.Domain.Common.CustomerId(customer.Id)).ToList();
            Assert.Equal(sent.Count, erased.SentMessagesErased);
            Assert.All(sent, m => Assert.DoesNotContain(customer.Email!, m.To + m.TextBody + m.HtmlBody));
        }

        var verdict = await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.True(verdict.Intact, verdict.Message);
        var entry = (await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>("/api/ledger?action=customer.erased&pageSize=500")).Items.Single(e => e.Subject == $"customer:{customer.Id}");
        Assert.Equal(app.AdminUser.Id, entry.ActorId);
        Assert.DoesNotContain("Ingrid", entry.After + entry.Reason, StringComparison.Ordinal);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CustomerDataTestsOnSqlite(SqliteApp app) : CustomerDataTests(app);

[Collection(PostgresCollection.Name)]
public sealed class CustomerDataTestsOnPostgres(PostgresApp app) : CustomerDataTests(app);
