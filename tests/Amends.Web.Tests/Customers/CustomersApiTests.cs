using System.Net;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Customers;

public abstract class CustomersApiTests(TestApp app)
{
    [Fact]
    public async Task Creating_a_customer_returns_201_with_its_id_and_location()
    {
        using var response = await app.Agent.PostJsonAsync("/api/customers", new { name = "Dana Doe", email = "Dana.Doe." + Guid.NewGuid().ToString("N")[..6] + "@Example.com", phone = "+44 7700 900123" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var customer = await response.ReadAsync<CustomerDto>();
        Assert.NotEqual(Guid.Empty, customer.Id);
        Assert.Equal($"/api/customers/{customer.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(customer.Email!.ToLowerInvariant(), customer.Email);

        var fetched = await app.Agent.GetJsonAsync<CustomerDetail>($"/api/customers/{customer.Id}");
        Assert.Equal("Dana Doe", fetched.Customer.Name);
        Assert.Empty(fetched.Cases);
    }

    [Fact]
    public async Task Search_finds_by_name_email_and_phone()
    {
        var unique = Guid.NewGuid().ToString("N")[..8];
        var phoneDigits = Random.Shared.Next(1000000, 9999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var customer = await app.Agent.PostJsonAsync<CustomerDto>("/api/customers",
            new { name = $"Zed {unique} Quinn", email = $"zq{unique}@example.org", phone = $"+31 6 {phoneDigits}" });

        foreach (var q in new[] { unique.ToUpperInvariant(), $"zq{unique}@example.org", phoneDigits })
        {
            var page = await app.Agent.GetJsonAsync<Paged<CustomerDto>>($"/api/customers?q={Uri.EscapeDataString(q)}");
            Assert.Contains(page.Items, c => c.Id == customer.Id);
        }

        var none = await app.Agent.GetJsonAsync<Paged<CustomerDto>>($"/api/customers?q=nobody-{unique}");
        Assert.Equal(0, none.Total);
    }

    [Fact]
    public async Task Search_is_paged()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            await app.Agent.CustomerAsync($"Paging {tag} {i}");
        }

        var first = await app.Agent.GetJsonAsync<Paged<CustomerDto>>($"/api/customers?q={tag}&pageSize=2&page=1");
        var second = await app.Agent.GetJsonAsync<Paged<CustomerDto>>($"/api/customers?q={tag}&pageSize=2&page=2");

        Assert.Equal(3, first.Total);
        Assert.Equal(2, first.Items.Count);
        Assert.Single(second.Items);
        Assert.DoesNotContain(second.Items[0].Id, first.Items.Select(c => c.Id));
    }

    [Fact]
    public async Task A_known_email_is_a_conflict_naming_the_field()
    {
        var customer = await app.Agent.CustomerAsync();

        using var response = await app.Agent.PostJsonAsync("/api/customers", new { name = "Someone else", email = customer.Email!.ToUpperInvariant() });

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "customer.email_taken");
        Assert.NotEmpty(problem.FieldErrors("email"));
    }

    [Theory]
    [InlineData("{\"name\":\"\"}", "name")]
    [InlineData("{\"name\":\"Dana\",\"email\":\"not-an-email\"}", "email")]
    [InlineData("{\"name\":\"Dana\",\"phone\":\"call me maybe\"}", "phone")]
    [InlineData("{\"name\":\"Dana\",\"lifetimeValue\":{\"minor\":100,\"currency\":\"euro\"}}", "lifetimeValue.currency")]
    public async Task Invalid_fields_get_a_400_with_field_errors(string json, string field)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await app.Agent.PostAsync("/api/customers", content, TestContext.Current.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.FieldErrors(field).Length > 0 || problem.FieldErrors(char.ToUpperInvariant(field[0]) + field[1..]).Length > 0, problem.ToString());
    }

    [Fact]
    public async Task The_customer_page_lists_their_case_history_newest_first()
    {
        var customer = await app.Agent.CustomerAsync();
        var first = await app.Agent.CaseAsync(customer.Id);
        var second = await app.Agent.CaseAsync(customer.Id);

        var detail = await app.Agent.GetJsonAsync<CustomerDetail>($"/api/customers/{customer.Id}");

        Assert.Equal([second.Id, first.Id], detail.Cases.Select(c => c.Id));
    }

    [Fact]
    public async Task An_unknown_customer_is_a_404_problem()
    {
        using var response = await app.Agent.GetAsync($"/api/customers/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "customer.not_found");
    }

    [Fact]
    public async Task Staff_set_the_customer_s_time_zone_language_and_automatic_updates()
    {
        var customer = await app.Agent.CustomerAsync();
        var set = await (await app.Agent.PutJsonAsync($"/api/customers/{customer.Id}/preferences", new { timeZone = "Europe/Vienna", language = "de-AT", automaticUpdates = false }))
            .ReadAsync<CustomerDto>();
        Assert.Equal(("Europe/Vienna", "de-at", false), (set.TimeZone, set.Language, set.AutomaticUpdates));
        Assert.False((await app.Agent.GetJsonAsync<CustomerDetail>($"/api/customers/{customer.Id}")).Customer.AutomaticUpdates);

        var back = await (await app.Agent.PutJsonAsync($"/api/customers/{customer.Id}/preferences", new { timeZone = (string?)null, language = (string?)null, automaticUpdates = true }))
            .ReadAsync<CustomerDto>();
        Assert.Equal((null, null, true), (back.TimeZone, back.Language, back.AutomaticUpdates));

        var zone = await (await app.Agent.PutJsonAsync($"/api/customers/{customer.Id}/preferences", new { timeZone = "Mars/Olympus" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(zone.FieldErrors("timeZone"));
        var language = await (await app.Agent.PutJsonAsync($"/api/customers/{customer.Id}/preferences", new { language = "german" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(language.FieldErrors("language"));
        await (await app.Agent.PutJsonAsync($"/api/customers/{Guid.NewGuid()}/preferences", new { language = "de" })).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CustomersApiTestsOnSqlite(SqliteApp app) : CustomersApiTests(app);

[Collection(PostgresCollection.Name)]
public sealed class CustomersApiTestsOnPostgres(PostgresApp app) : CustomersApiTests(app);
