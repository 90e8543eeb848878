using System.Net;
using System.Text;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Platform;

/// <summary>Whatever a client sends, the answer is a 4xx problem that says what is wrong, never a 500.</summary>
public abstract class BadInputTests(TestApp app)
{
    public static TheoryData<string, string, string?> Bodies => new()
    {
        { "/api/customers", "{\"name\": \"Dana\"", "request.malformed_json" },
        { "/api/customers", "not json at all", "request.malformed_json" },
        { "/api/customers", "{\"name\": 42}", "request.invalid_value" },
        { "/api/customers", "{\"name\": \"Dana\", \"tier\": \"Diamond\"}", "request.invalid_value" },
        { "/api/customers", "{\"name\": \"Dana\", \"lifetimeValue\": {\"minor\": 1.5, \"currency\": \"EUR\"}}", "request.invalid_value" },
        { "/api/customers", "[]", "request.invalid_value" },
        { "/api/cases", "{\"customerId\": \"not-a-guid\", \"category\": \"Other\", \"summary\": \"x\", \"channel\": \"Email\"}", "request.invalid_value" },
        { "/api/cases", "{\"customerId\": \"00000000-0000-0000-0000-000000000001\", \"category\": \"Nope\", \"summary\": \"x\", \"channel\": \"Email\"}", "request.invalid_value" },
        { "/api/cases", "{\"customerId\": \"00000000-0000-0000-0000-000000000001\", \"category\": 3, \"summary\": \"x\", \"channel\": \"Email\"}", "request.invalid_value" },
        { "/api/cases", "{}", null },
        { "/api/users", "{\"email\": \"x@y.z\", \"displayName\": \"X\", \"password\": \"p\", \"role\": \"Overlord\"}", "request.invalid_value" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Unreadable_or_mistyped_bodies_are_400_problems(string url, string body, string? code)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await app.Admin.PostAsync(url, content, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task An_unknown_enum_value_names_the_field_and_the_allowed_values()
    {
        using var content = new StringContent("{\"customerId\": \"00000000-0000-0000-0000-000000000001\", \"category\": \"Nope\", \"summary\": \"x\", \"channel\": \"Email\"}", Encoding.UTF8, "application/json");
        using var response = await app.Agent.PostAsync("/api/cases", content, TestContext.Current.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "request.invalid_value");
        var message = Assert.Single(problem.FieldErrors("category"));
        Assert.Contains("LateDelivery", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_required_fields_are_listed_each()
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await app.Agent.PostAsync("/api/cases", content, TestContext.Current.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "CustomerId", "Category", "Summary", "Channel" })
        {
            Assert.True(problem.FieldErrors(field).Length + problem.FieldErrors(char.ToLowerInvariant(field[0]) + field[1..]).Length > 0, $"{field}: {problem}");
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem()
    {
        var huge = "{\"name\": \"" + new string('a', 2 * 1024 * 1024) + "\"}";

        // As a well-behaved client sending a large body does: wait for "100 Continue" before sending it, so the server's
        // early 413 is read rather than racing a closed connection.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/customers") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        using var response = await app.Agent.SendAsync(request, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "request.too_large");
    }

    [Fact]
    public async Task A_body_over_the_limit_with_an_idempotency_key_is_a_413_problem_too()
    {
        var huge = "{\"name\": \"" + new string('a', 2 * 1024 * 1024) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/customers") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        request.Headers.ExpectContinue = true;
        using var response = await app.Agent.SendAsync(request, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "request.too_large");
    }

    [Fact]
    public async Task A_text_over_its_length_limit_is_a_400_on_the_field()
    {
        var c = await app.Agent.CaseAsync();

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/notes", new { body = new string('n', 10_001) });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.FieldErrors("Body").Length + problem.FieldErrors("body").Length > 0, problem.ToString());
    }

    [Fact]
    public async Task A_body_over_the_limit_sent_at_once_gets_a_readable_413_not_a_reset()
    {
        // Without "Expect: 100-continue" the client sends the whole body before it reads; a server that answers early
        // and closes makes the kernel reset the connection, and the client never sees the 413.
        var huge = "{\"name\": \"" + new string('a', 12 * 1024 * 1024) + "\"}";
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/customers") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
            if (attempt % 2 == 1)
            {
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            }

            using var response = await app.Agent.SendAsync(request, TestContext.Current.CancellationToken);

            await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "request.too_large");
        }
    }

    [Theory]
    [InlineData("resolve", "resolution")]
    [InlineData("close", "reason")]
    [InlineData("reopen", "reason")]
    [InlineData("wait", "reason")]
    public async Task Lifecycle_bodies_are_validated_like_every_other(string action, string field)
    {
        var c = await app.Agent.CaseAsync();
        var body = new Dictionary<string, object> { [field] = new string('r', 20_000) };
        if (action == "close")
        {
            body["outcome"] = "Withdrawn";
        }

        using var response = await app.Agent.PostJsonAsync($"/api/cases/{c.Id}/{action}", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.FieldErrors(field).Length + problem.FieldErrors(char.ToUpperInvariant(field[0]) + field[1..]).Length > 0, problem.ToString());
        var after = await app.Agent.GetJsonAsync<Amends.Web.Features.Cases.CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(c.Version, after.Version);
    }

    [Fact]
    public async Task Renaming_a_catalogue_entry_to_a_taken_name_is_the_same_400_as_creating_one()
    {
        var first = await app.Admin.PostJsonAsync<Amends.Web.Features.Remedies.CatalogueItemDto>("/api/remedy-catalogue",
            new { type = "Gesture", name = "Taken " + Guid.NewGuid().ToString("N")[..8], defaultAmountMinor = 500 });
        var second = await app.Admin.PostJsonAsync<Amends.Web.Features.Remedies.CatalogueItemDto>("/api/remedy-catalogue",
            new { type = "Gesture", name = "Free " + Guid.NewGuid().ToString("N")[..8], defaultAmountMinor = 500 });

        using var create = await app.Admin.PostJsonAsync("/api/remedy-catalogue", new { type = "Gesture", name = first.Name, defaultAmountMinor = 100 });
        using var rename = await app.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/remedy-catalogue/{second.Id}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { type = "Gesture", name = first.Name, defaultAmountMinor = 500, active = true }),
        }, TestContext.Current.CancellationToken);

        await create.AssertProblemAsync(HttpStatusCode.BadRequest, "catalogue.name_taken");
        var problem = await rename.AssertProblemAsync(HttpStatusCode.BadRequest, "catalogue.name_taken");
        Assert.NotEmpty(problem.FieldErrors("name"));
        var unchanged = await app.Admin.GetJsonAsync<List<Amends.Web.Features.Remedies.CatalogueItemDto>>("/api/remedy-catalogue");
        Assert.Equal(second.Name, unchanged.Single(i => i.Id == second.Id).Name);
    }

    [Theory]
    [InlineData("/api/cases/not-a-guid")]
    [InlineData("/api/nothing-here")]
    [InlineData("/api/customers/00000000-0000-0000-0000-000000000000/extra")]
    public async Task Unknown_routes_are_404_problems(string url)
    {
        using var response = await app.Agent.GetAsync(url, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_wrong_content_type_is_a_415_problem()
    {
        using var content = new StringContent("name=Dana", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await app.Agent.PostAsync("/api/customers", content, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class BadInputTestsOnSqlite(SqliteApp app) : BadInputTests(app);

[Collection(PostgresCollection.Name)]
public sealed class BadInputTestsOnPostgres(PostgresApp app) : BadInputTests(app);
