using System.Net;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Platform;

public abstract class IdempotencyTests(TestApp app)
{
    [Fact]
    public async Task A_replay_with_the_same_key_returns_the_first_response_and_creates_nothing()
    {
        var key = Guid.NewGuid().ToString();
        var email = $"idem-{Guid.NewGuid():N}@example.com";
        var body = new { name = "Ida Empotent", email };

        using var first = await app.Agent.PostJsonAsync("/api/customers", body, idempotencyKey: key);
        using var replay = await app.Agent.PostJsonAsync("/api/customers", body, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal((await first.ReadAsync<CustomerDto>()).Id, (await replay.ReadAsync<CustomerDto>()).Id);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        var found = await app.Agent.GetJsonAsync<Paged<CustomerDto>>($"/api/customers?q={Uri.EscapeDataString(email)}");
        Assert.Equal(1, found.Total);
    }

    [Fact]
    public async Task Concurrent_replays_create_exactly_one_case()
    {
        var customer = await app.Agent.CustomerAsync();
        var key = Guid.NewGuid().ToString();
        var body = new { customerId = customer.Id, category = "WrongOrder", summary = "Sent the wrong size", channel = "Web" };

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => app.Agent.PostJsonAsync("/api/cases", body, idempotencyKey: key)));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        var cases = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={customer.Id}");
        Assert.Equal(1, cases.Total);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_same_key_with_another_request_is_refused()
    {
        var key = Guid.NewGuid().ToString();
        using var first = await app.Agent.PostJsonAsync("/api/customers", new { name = "First" }, idempotencyKey: key);
        using var other = await app.Agent.PostJsonAsync("/api/customers", new { name = "Second" }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency.key_reused");
    }

    [Fact]
    public async Task A_failed_request_is_replayed_as_the_same_failure()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { customerId = Guid.NewGuid(), category = "Other", summary = "x", channel = "Email" };

        using var first = await app.Agent.PostJsonAsync("/api/cases", body, idempotencyKey: key);
        using var replay = await app.Agent.PostJsonAsync("/api/cases", body, idempotencyKey: key);

        await first.AssertProblemAsync(HttpStatusCode.NotFound, "customer.not_found");
        await replay.AssertProblemAsync(HttpStatusCode.NotFound, "customer.not_found");
    }

    [Fact]
    public async Task Keys_are_per_caller()
    {
        var key = Guid.NewGuid().ToString();

        using var agent = await app.Agent.PostJsonAsync("/api/customers", new { name = "Same key A" }, idempotencyKey: key);
        using var supervisor = await app.Supervisor.PostJsonAsync("/api/customers", new { name = "Same key B" }, idempotencyKey: key);

        Assert.NotEqual((await agent.ReadAsync<CustomerDto>()).Id, (await supervisor.ReadAsync<CustomerDto>()).Id);
    }

    [Fact]
    public async Task A_key_over_200_characters_is_a_400()
    {
        using var response = await app.Agent.PostJsonAsync("/api/customers", new { name = "Long key" }, idempotencyKey: new string('k', 201));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "idempotency.key_invalid");
    }
}

/// <summary>Idempotency records expire after a day, on a fake clock.</summary>
public abstract class IdempotencyRetentionTests(string provider) : IAsyncLifetime
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = new TestApp(provider, time: _clock, settings: new() { ["Amends:Jobs:Enabled"] = "false" });
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_key_is_remembered_for_a_day_and_then_forgotten()
    {
        var key = Guid.NewGuid().ToString();
        var housekeeping = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Amends.Web.Jobs.Housekeeping>(_app.Services);
        using var first = await _app.Agent.PostJsonAsync("/api/customers", new { name = "Kept a day" }, idempotencyKey: key);
        var firstId = (await first.ReadAsync<CustomerDto>()).Id;

        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, await housekeeping.RunAsync(TestContext.Current.CancellationToken));
        using (var replay = await _app.Agent.PostJsonAsync("/api/customers", new { name = "Kept a day" }, idempotencyKey: key))
        {
            Assert.Equal(firstId, (await replay.ReadAsync<CustomerDto>()).Id);
        }

        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await housekeeping.RunAsync(TestContext.Current.CancellationToken));
        using var later = await _app.Agent.PostJsonAsync("/api/customers", new { name = "Kept a day" }, idempotencyKey: key);
        Assert.NotEqual(firstId, (await later.ReadAsync<CustomerDto>()).Id);
    }
}

public sealed class IdempotencyRetentionTestsOnSqlite() : IdempotencyRetentionTests("Sqlite");

public sealed class IdempotencyRetentionTestsOnPostgres() : IdempotencyRetentionTests("Postgres");

[Collection(SqliteCollection.Name)]
public sealed class IdempotencyTestsOnSqlite(SqliteApp app) : IdempotencyTests(app);

[Collection(PostgresCollection.Name)]
public sealed class IdempotencyTestsOnPostgres(PostgresApp app) : IdempotencyTests(app);
