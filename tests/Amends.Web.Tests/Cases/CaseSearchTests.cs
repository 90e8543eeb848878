using System.Net;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Cases;

/// <summary>The list's <c>q</c> on the database's full-text index: words, prefixes, names, numbers, e-mail and phone.</summary>
public abstract class CaseSearchTests(TestApp app)
{
    // A word no other test writes, so each search here finds only this class's cases.
    private static string Token() => "zx" + Guid.NewGuid().ToString("N")[..10].Replace('0', 'q').Replace('1', 'w');

    [Fact]
    public async Task Every_word_of_the_query_must_match_in_the_summary_or_the_customer_name_the_last_as_a_word_or_its_start()
    {
        var token = Token();
        var customer = await app.Agent.CustomerAsync(name: $"Marguerite Oyelaran {token}");
        var kettle = await app.Agent.CaseAsync(customerId: customer.Id, summary: "Kettle arrived broken, the lid is cracked");
        var courier = await app.Agent.CaseAsync(summary: $"Courier {token} left the parcel in the rain");

        var listed = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={customer.Id}");
        Assert.Equal(customer.Name, Assert.Single(listed.Items).CustomerName);
        Assert.Equal([kettle.Id], await FindAsync($"{token} kettle"));
        Assert.Equal([kettle.Id], await FindAsync($"{token} cracked KETT"));
        Assert.Empty(await FindAsync($"{token} kett crack"));
        Assert.Equal([kettle.Id], await FindAsync($"oyelaran {token}"));
        Assert.Equal([kettle.Id], await FindAsync($"marguerite {token[..6]}"));
        Assert.Equal([courier.Id], await FindAsync($"{token} rain parcel"));
        // Newest first.
        Assert.Equal([courier.Id, kettle.Id], await FindAsync(token));
        Assert.Empty(await FindAsync($"{token} toaster"));
        // Quotes, brackets, stars and operators are only separators ("near" and "2" are words it looks for), never query syntax.
        Assert.Equal([kettle.Id], await FindAsync($"\"{token}\" (kettle) -lid*"));
        Assert.Empty(await FindAsync($"{token} NEAR/2 kettle"));
    }

    [Fact]
    public async Task Digits_find_the_case_with_that_number_and_texts_that_hold_them()
    {
        var token = Token();
        var first = await app.Agent.CaseAsync(summary: $"Order {token} never came");
        var number = first.Number["AM-".Length..];
        var other = await app.Agent.CaseAsync(summary: $"Error {number} on checkout {token}");

        var found = await FindAsync(number);
        Assert.Contains(first.Id, found);
        Assert.Contains(other.Id, found);
        Assert.Equal([first.Id], await FindAsync(first.Number));
    }

    [Fact]
    public async Task An_email_address_or_a_phone_number_finds_that_customers_cases()
    {
        var token = Token();
        var email = $"{token}@example.org";
        var phone = "+44 20 7946 " + Random.Shared.Next(1000, 9999);
        var customer = await app.Agent.PostJsonAsync<CustomerDto>("/api/customers", new { name = "Search by contact", email, phone });
        var one = await app.Agent.CaseAsync(customerId: customer.Id, summary: "First problem");
        var two = await app.Agent.CaseAsync(customerId: customer.Id, summary: "Second problem");

        Assert.Equal(new[] { one.Id, two.Id }.Order(), (await FindAsync(email.ToUpperInvariant())).Order());
        Assert.Equal(new[] { one.Id, two.Id }.Order(), (await FindAsync(phone)).Order());
        Assert.Empty(await FindAsync("nobody-" + email));
    }

    [Fact]
    public async Task Search_combines_with_the_other_filters_and_counts_its_matches()
    {
        var token = Token();
        var mine = await app.Agent.CaseAsync(summary: $"Boiler {token} repair missed", teamId: app.Team.Id);
        var elsewhere = await app.Agent.CaseAsync(summary: $"Boiler {token} part missing");

        var page = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?q={token}&teamId={app.Team.Id}");
        Assert.Equal([mine.Id], page.Items.Select(i => i.Id));
        Assert.Equal(1, page.Total);

        var all = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?q=boiler+{token}&pageSize=1");
        Assert.Equal(2, all.Total);
        Assert.Equal([elsewhere.Id], all.Items.Select(i => i.Id));
        var second = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?q=boiler+{token}&pageSize=1&page=2");
        Assert.Equal([mine.Id], second.Items.Select(i => i.Id));
        Assert.Equal(2, second.Total);
        var beyond = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?q=boiler+{token}&pageSize=1&page=3");
        Assert.Empty(beyond.Items);
        Assert.Equal(2, beyond.Total);
    }

    [Fact]
    public async Task A_query_with_nothing_to_search_for_is_a_clear_400()
    {
        using var response = await app.Agent.GetAsync("/api/cases?q=%22%2A%28%29", TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "case.q_invalid");
    }

    [Fact]
    public async Task An_erased_customer_is_no_longer_found_by_name_and_the_list_shows_the_erased_name()
    {
        var token = Token();
        var customer = await app.Agent.CustomerAsync(name: $"Ottoline {token}");
        var opened = await app.Agent.CaseAsync(customerId: customer.Id, summary: "Wrong size delivered");
        Assert.Equal([opened.Id], await FindAsync($"ottoline {token}"));

        (await app.Admin.PostJsonAsync($"/api/customers/{customer.Id}/erase", new { confirm = customer.Id.ToString(), reason = "Asked" })).EnsureSuccessStatusCode();

        Assert.Empty(await FindAsync($"ottoline {token}"));
        var listed = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={customer.Id}");
        Assert.Equal(Amends.Domain.Customers.Customer.ErasedName, Assert.Single(listed.Items).CustomerName);
    }

    [Fact]
    public async Task The_list_shows_one_line_of_the_customers_latest_message_kept_on_the_case()
    {
        var opened = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        Assert.Null(Assert.Single((await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={opened.Customer.Id}")).Items).LastCustomerMessage);

        var long_ = "Still nothing.\n\nI have now waited " + string.Join(' ', Enumerable.Repeat("three more weeks for the replacement", 8));
        (await app.Agent.PostJsonAsync($"/api/cases/{opened.Id}/messages", new { direction = "In", body = "First message" })).EnsureSuccessStatusCode();
        (await app.Agent.PostJsonAsync($"/api/cases/{opened.Id}/messages", new { direction = "In", body = long_ })).EnsureSuccessStatusCode();
        (await app.Agent.PostJsonAsync($"/api/cases/{opened.Id}/messages", new { direction = "Out", body = "We are on it." })).EnsureSuccessStatusCode();

        var item = Assert.Single((await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={opened.Customer.Id}")).Items);
        Assert.NotNull(item.LastCustomerMessage);
        Assert.StartsWith("Still nothing. I have now waited three more weeks", item.LastCustomerMessage);
        Assert.EndsWith("…", item.LastCustomerMessage);
        Assert.True(item.LastCustomerMessage.Length <= Amends.Domain.Cases.RecoveryCase.SnippetLength, item.LastCustomerMessage);
        Assert.DoesNotContain('\n', item.LastCustomerMessage);
        Assert.NotNull(item.LastCustomerMessageAt);
    }

    private async Task<List<Guid>> FindAsync(string query) =>
        [.. (await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?q={Uri.EscapeDataString(query)}")).Items.Select(i => i.Id)];
}

[Collection(SqliteCollection.Name)]
public sealed class CaseSearchTestsOnSqlite(SqliteApp app) : CaseSearchTests(app);

[Collection(PostgresCollection.Name)]
public sealed class CaseSearchTestsOnPostgres(PostgresApp app) : CaseSearchTests(app);
