using System.Net;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task A_retry_after_a_crash_that_committed_the_case_gets_that_case_and_no_second()
    {
        var customer = await app.Agent.CustomerAsync();
        var key = Guid.NewGuid().ToString();
        var body = CaseBody(customer.Id);
        using var first = await PostRawAsync(body, key);
        var opened = await first.ReadAsync<CaseDetail>();

        // What a kill -9 between "case committed" and "response stored" leaves: the key in progress, its lease lapsed.
        await LeaveInProgressAsync(key, leaseLeft: TimeSpan.FromSeconds(-1));
        using var retry = await PostRawAsync(body, key);

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(opened.Id, (await retry.ReadAsync<CaseDetail>()).Id);
        var cases = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={customer.Id}");
        Assert.Equal(1, cases.Total);
        using var replay = await PostRawAsync(body, key);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(opened.Id, (await replay.ReadAsync<CaseDetail>()).Id);
    }

    [Fact]
    public async Task A_retry_after_a_crash_before_the_case_committed_opens_it_once()
    {
        var customer = await app.Agent.CustomerAsync();
        var key = Guid.NewGuid().ToString();
        var body = CaseBody(customer.Id);
        await InsertInProgressAsync(key, body, leaseLeft: TimeSpan.FromSeconds(-1));

        using var retry = await PostRawAsync(body, key);

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var cases = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={customer.Id}");
        Assert.Equal(1, cases.Total);
    }

    [Fact]
    public async Task A_retry_while_the_first_request_still_holds_its_lease_is_told_when_to_come_back()
    {
        var customer = await app.Agent.CustomerAsync();
        var key = Guid.NewGuid().ToString();
        var body = CaseBody(customer.Id);
        await InsertInProgressAsync(key, body, leaseLeft: TimeSpan.FromSeconds(8));

        using var retry = await PostRawAsync(body, key);

        await retry.AssertProblemAsync(HttpStatusCode.Conflict, "idempotency.in_progress");
        var after = retry.Headers.RetryAfter?.Delta;
        Assert.NotNull(after);
        Assert.InRange(after.Value.TotalSeconds, 1, 10);
        var cases = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={customer.Id}");
        Assert.Equal(0, cases.Total);
    }

    private static string CaseBody(Guid customerId) =>
        $"{{\"customerId\":\"{customerId}\",\"category\":\"WrongOrder\",\"summary\":\"Crash test\",\"channel\":\"Web\"}}";

    private async Task<HttpResponseMessage> PostRawAsync(string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return await app.Agent.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task LeaveInProgressAsync(string key, TimeSpan leaseLeft)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var until = TimeProvider.System.GetUtcNow().UtcDateTime + leaseLeft;
        var changed = await db.IdempotencyRecords.Where(r => r.Key == key).ExecuteUpdateAsync(set => set
            .SetProperty(r => r.ResponseStatus, 0).SetProperty(r => r.ResponseBody, (byte[]?)null)
            .SetProperty(r => r.LeaseUntil, until).SetProperty(r => r.Holder, "crashed"), TestContext.Current.CancellationToken);
        Assert.Equal(1, changed);
    }

    private async Task InsertInProgressAsync(string key, string body, TimeSpan leaseLeft)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("POST /api/cases\n" + body));
        db.IdempotencyRecords.Add(new IdempotencyRecord
        {
            Scope = app.AgentUser.Id.ToString(),
            Key = key,
            RequestHash = Convert.ToHexStringLower(hash),
            CreatedAt = TimeProvider.System.GetUtcNow().UtcDateTime,
            LeaseUntil = TimeProvider.System.GetUtcNow().UtcDateTime + leaseLeft,
            Holder = "crashed",
        });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
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
