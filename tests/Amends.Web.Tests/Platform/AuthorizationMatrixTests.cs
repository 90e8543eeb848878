using System.Net;
using System.Net.Http.Json;
using Amends.Domain.Teams;
using Amends.Web.Features.Admin;
using Amends.Web.Features.Cases;
using Amends.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Platform;

/// <summary>
/// Every API endpoint × every role (and no credentials): 401 without credentials, 403 below the endpoint's role,
/// 2xx at or above it. The table must name every /api endpoint the app maps, so a new endpoint cannot slip through.
/// </summary>
public abstract class AuthorizationMatrixTests(TestApp app)
{
    private sealed record Call(HttpMethod Method, string Url, object? Body = null, string? Csv = null);

    private sealed record Row(string Method, string Pattern, Role MinimumRole, Func<TestApp, Task<Call>> Prepare, Func<HttpClient, Task>? Cleanup = null);

    private static readonly Row[] Table =
    [
        new("POST", "/api/cases/", Role.Agent, async a => new(HttpMethod.Post, "/api/cases",
            new { customerId = (await a.Admin.CustomerAsync()).Id, category = "Other", summary = "Matrix", channel = "Email" })),
        new("GET", "/api/cases/", Role.Agent, _ => Get("/api/cases?pageSize=5")),
        new("GET", "/api/cases/{id:guid}", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/{(await a.Admin.CaseAsync()).Id}")),
        new("GET", "/api/cases/by-number/{number}", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/by-number/{(await a.Admin.CaseAsync()).Number}")),
        new("POST", "/api/cases/{id:guid}/replies", Role.Agent, async a => Post($"/api/cases/{await AgentCase(a)}/replies", new { body = "Matrix reply" })),
        new("GET", "/api/cases/{id:guid}/status-link", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/{await AgentCase(a)}/status-link")),
        new("GET", "/api/outbox/", Role.Supervisor, _ => Get("/api/outbox?pageSize=5")),
        new("GET", "/api/outbox/{id:guid}", Role.Supervisor, async a => new(HttpMethod.Get, $"/api/outbox/{await Queued(a)}")),
        new("POST", "/api/outbox/{id:guid}/retry", Role.Admin, async a =>
        {
            var id = await Queued(a);
            await a.Admin.PostJsonAsync<Amends.Web.Features.Messaging.OutboxItem>($"/api/outbox/{id}/cancel", null);
            return Post($"/api/outbox/{id}/retry", null);
        }),
        new("POST", "/api/outbox/{id:guid}/cancel", Role.Admin, async a => Post($"/api/outbox/{await Queued(a)}/cancel", null)),
        new("POST", "/api/outbox/{id:guid}/hold", Role.Agent, async a => Post($"/api/outbox/{await Queued(a)}/hold", null)),
        new("POST", "/api/outbox/{id:guid}/release", Role.Agent, async a =>
        {
            var id = await Queued(a);
            await a.Admin.PostJsonAsync<Amends.Web.Features.Messaging.OutboxItem>($"/api/outbox/{id}/hold", null);
            return Post($"/api/outbox/{id}/release", null);
        }),
        new("PUT", "/api/customers/{id:guid}/preferences", Role.Agent, async a =>
            new(HttpMethod.Put, $"/api/customers/{(await a.Admin.CustomerAsync()).Id}/preferences", new { language = "de" })),
        new("POST", "/api/signals/", Role.Agent, _ => Task.FromResult(Post("/api/signals", MatrixSignal()))),
        new("POST", "/api/signals/batch", Role.Agent, _ => Task.FromResult(Post("/api/signals/batch", new { items = new[] { MatrixSignal() } }))),
        new("POST", "/api/signals/import", Role.Agent, _ => Task.FromResult(new Call(HttpMethod.Post, "/api/signals/import", Csv: "source,externalId,kind,occurredAt,email,event\nmatrix,m-1,Behaviour,2026-11-30T10:00:00Z,matrix@example.com,OrderPlaced\n"))),
        new("GET", "/api/signals/", Role.Agent, _ => Get("/api/signals?pageSize=5")),
        new("POST", "/api/detection/score", Role.Agent, _ => Task.FromResult(Post("/api/detection/score", new { text = "Still no refund." }))),
        new("GET", "/api/detection/status", Role.Admin, _ => Get("/api/detection/status")),
        new("POST", "/api/detection/churn-check", Role.Admin, _ => Task.FromResult(Post("/api/detection/churn-check", null))),
        new("GET", "/api/detection/models/", Role.Admin, _ => Get("/api/detection/models")),
        new("GET", "/api/detection/models/{id:guid}", Role.Admin, async a => new(HttpMethod.Get, $"/api/detection/models/{await ReadyHead(a)}")),
        new("POST", "/api/detection/models/", Role.Admin, async a =>
        {
            await JudgedCases(a);
            return Post("/api/detection/models", null);
        }),
        new("POST", "/api/detection/models/{id:guid}/activate", Role.Admin, async a => Post($"/api/detection/models/{await ReadyHead(a)}/activate", null),
            client => client.PostJsonAsync("/api/detection/models/shipped/activate", new { })),
        new("POST", "/api/detection/models/shipped/activate", Role.Admin, _ => Task.FromResult(Post("/api/detection/models/shipped/activate", null))),
        new("POST", "/api/incidents/check", Role.Admin, _ => Task.FromResult(Post("/api/incidents/check", null))),
        new("GET", "/api/incidents/", Role.Agent, _ => Get("/api/incidents?pageSize=5")),
        new("GET", "/api/incidents/{id:guid}", Role.Agent, async a => new(HttpMethod.Get, $"/api/incidents/{await NewIncident(a)}")),
        new("POST", "/api/incidents/{id:guid}/open-cases", Role.Supervisor, async a => Post($"/api/incidents/{await NewIncident(a)}/open-cases", null)),
        new("POST", "/api/incidents/{id:guid}/message", Role.Supervisor, async a =>
            Post($"/api/incidents/{await NewIncident(a)}/message", new { subject = "Matrix", body = "Hi {{customer.firstName|there}}" })),
        new("POST", "/api/incidents/{id:guid}/close", Role.Supervisor, async a => Post($"/api/incidents/{await NewIncident(a)}/close", null)),
        new("POST", "/api/cases/{id:guid}/detection-verdict", Role.Agent, async a =>
        {
            var stored = await a.Admin.PostJsonAsync<Amends.Web.Features.Signals.SignalResult>("/api/signals", new
            {
                source = "matrix", externalId = Guid.NewGuid().ToString("N"), kind = "Message", occurredAt = TimeProvider.System.GetUtcNow(),
                customer = new { email = $"verdict-{Guid.NewGuid():N}@example.com" }, text = "I want to speak to a manager. Still no refund and I am cancelling my account.",
            });
            return Post($"/api/cases/{stored.CaseId}/detection-verdict", new { verdict = "Confirmed" });
        }),
        new("GET", "/api/signals/{id:guid}", Role.Agent, async a =>
        {
            var stored = await a.Admin.PostJsonAsync<Amends.Web.Features.Signals.SignalResult>("/api/signals", MatrixSignal());
            return new(HttpMethod.Get, $"/api/signals/{stored.SignalId}");
        }),
        new("GET", "/api/emails/", Role.Agent, _ => Get("/api/emails?state=Spam&pageSize=5")),
        new("GET", "/api/emails/{id:guid}", Role.Agent, async a => new(HttpMethod.Get, $"/api/emails/{(await Spam(a)).EmailId}")),
        new("GET", "/api/emails/{id:guid}/original", Role.Agent, async a => new(HttpMethod.Get, $"/api/emails/{(await Spam(a)).EmailId}/original")),
        new("GET", "/api/emails/{id:guid}/attachments/{attachmentId:guid}", Role.Agent, async a =>
        {
            var email = await a.Admin.GetJsonAsync<Amends.Web.Features.Messaging.Email.EmailDetail>($"/api/emails/{(await Spam(a)).EmailId}");
            return new(HttpMethod.Get, email.Attachments.Single().Url);
        }),
        new("POST", "/api/emails/{id:guid}/open-case", Role.Agent, async a => Post($"/api/emails/{(await Spam(a)).EmailId}/open-case", null)),
        new("POST", "/api/emails/{id:guid}/drop", Role.Agent, async a => Post($"/api/emails/{(await Spam(a)).EmailId}/drop", null)),
        new("GET", "/api/mailbox/", Role.Agent, _ => Get("/api/mailbox?pageSize=5")),
        new("GET", "/api/mailbox/{id:guid}", Role.Agent, async a =>
        {
            var sent = await a.Admin.PostJsonAsync<Amends.Web.Features.Messaging.ReplyResult>($"/api/cases/{await AgentCase(a)}/replies", new { body = "For the mailbox" });
            return new(HttpMethod.Get, $"/api/mailbox/{sent.Message!.Id}");
        }),
        new("GET", "/api/cases/{id:guid}/timeline", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/{(await a.Admin.CaseAsync()).Id}/timeline")),
        new("POST", "/api/cases/{id:guid}/assign", Role.Agent, async a => Post($"/api/cases/{(await a.Admin.CaseAsync()).Id}/assign", new { ownerId = a.AgentUser.Id })),
        new("POST", "/api/cases/{id:guid}/notes", Role.Agent, async a => Post($"/api/cases/{(await a.Admin.CaseAsync()).Id}/notes", new { body = "n" })),
        new("POST", "/api/cases/{id:guid}/messages", Role.Agent, async a => Post($"/api/cases/{await AgentCase(a)}/messages", new { direction = "In", body = "m" })),
        new("POST", "/api/cases/{id:guid}/severity", Role.Agent, async a => Post($"/api/cases/{await AgentCase(a)}/severity", new { severity = "High" })),
        new("POST", "/api/cases/{id:guid}/acknowledge", Role.Agent, async a => Post($"/api/cases/{(await CaseIn(a)).Id}/acknowledge", null)),
        new("POST", "/api/cases/{id:guid}/start", Role.Agent, async a => Post($"/api/cases/{(await CaseIn(a, "acknowledge")).Id}/start", null)),
        new("POST", "/api/cases/{id:guid}/wait", Role.Agent, async a => Post($"/api/cases/{(await CaseIn(a, "acknowledge", "start")).Id}/wait", new { reason = "r" })),
        new("POST", "/api/cases/{id:guid}/resume", Role.Agent, async a => Post($"/api/cases/{(await CaseIn(a, "acknowledge", "start", "wait")).Id}/resume", null)),
        new("POST", "/api/cases/{id:guid}/resolve", Role.Agent, async a => Post($"/api/cases/{(await CaseIn(a, "acknowledge", "start")).Id}/resolve", new { resolution = "r", apologyOnly = true })),
        new("POST", "/api/cases/{id:guid}/close", Role.Agent, async a => Post($"/api/cases/{(await CaseIn(a)).Id}/close", new { outcome = "Withdrawn" })),
        new("POST", "/api/cases/{id:guid}/reopen", Role.Agent, async a => Post($"/api/cases/{(await Resolved(a)).Id}/reopen", new { reason = "r" })),
        new("POST", "/api/cases/{id:guid}/escalations", Role.Agent, async a => Post($"/api/cases/{await AgentCase(a)}/escalations", new { reason = "CustomerAskedForManager" })),
        new("POST", "/api/cases/{id:guid}/escalations/step-in", Role.Supervisor, async a => Post($"/api/cases/{(await Escalated(a)).Id}/escalations/step-in", null)),
        new("POST", "/api/cases/{id:guid}/escalations/hand-back", Role.Supervisor, async a => Post($"/api/cases/{(await Escalated(a)).Id}/escalations/hand-back", new { note = "Yours again" })),
        new("GET", "/api/escalations/", Role.Supervisor, _ => Get("/api/escalations")),
        new("POST", "/api/cases/{id:guid}/follow-up", Role.Agent, async a => Post($"/api/cases/{(await Resolved(a)).Id}/follow-up", new { score = 5 })),
        new("GET", "/api/cases/{id:guid}/follow-up/links", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/{await AgentCase(a)}/follow-up/links")),
        new("GET", "/api/cases/{id:guid}/templates", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/{(await a.Admin.CaseAsync()).Id}/templates")),
        new("POST", "/api/cases/{id:guid}/checklist/{index:int}", Role.Agent, async a => Post($"/api/cases/{await AgentCase(a)}/checklist/0", new { done = true })),
        new("GET", "/api/cases/{id:guid}/promises", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/{(await a.Admin.CaseAsync()).Id}/promises")),
        new("POST", "/api/cases/{id:guid}/promises", Role.Agent, async a => Post($"/api/cases/{await AgentCase(a)}/promises", new { text = "Soon", dueAt = TimeProvider.System.GetUtcNow().AddDays(1) })),
        new("POST", "/api/cases/{id:guid}/promises/{promiseId:guid}/kept", Role.Agent, async a =>
        {
            var c = await CaseIn(a);
            var promise = await a.Admin.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises", new { text = "Soon", dueAt = TimeProvider.System.GetUtcNow().AddDays(1) });
            return Post($"/api/cases/{c.Id}/promises/{promise.Id}/kept", null);
        }),
        new("GET", "/api/playbooks/", Role.Agent, _ => Get("/api/playbooks")),
        new("GET", "/api/reports/sla", Role.Supervisor, _ => Get("/api/reports/sla?groupBy=Team")),
        new("GET", "/api/reports/cost", Role.Supervisor, _ => Get("/api/reports/cost?groupBy=Agent")),
        new("GET", "/api/playbooks/{id:guid}", Role.Agent, async a => new(HttpMethod.Get, $"/api/playbooks/{(await a.Admin.GetJsonAsync<List<Amends.Web.Features.Playbooks.PlaybookDto>>("/api/playbooks"))[0].Id}")),
        new("POST", "/api/playbooks/", Role.Admin, async a =>
        {
            var p = (await a.Admin.GetJsonAsync<List<Amends.Web.Features.Playbooks.PlaybookDto>>("/api/playbooks?category=WrongOrder")).Single();
            return Post("/api/playbooks", new { category = "WrongOrder", name = p.Name, steps = p.Steps, templates = p.Templates, recommendedRemedies = p.RecommendedRemedies, sla = p.Sla });
        }),
        new("POST", "/api/customers/", Role.Agent, _ => Task.FromResult(Post("/api/customers", new { name = "Matrix customer" }))),
        new("GET", "/api/customers/", Role.Agent, _ => Get("/api/customers?q=a")),
        new("GET", "/api/customers/{id:guid}", Role.Agent, async a => new(HttpMethod.Get, $"/api/customers/{(await a.Admin.CustomerAsync()).Id}")),
        new("GET", "/api/customers/{id:guid}/export", Role.Admin, async a => new(HttpMethod.Get, $"/api/customers/{(await a.Admin.CustomerAsync()).Id}/export")),
        new("POST", "/api/customers/{id:guid}/merge", Role.Supervisor, async a => Post($"/api/customers/{(await a.Admin.CustomerAsync()).Id}/merge", new { duplicateId = (await a.Admin.CustomerAsync()).Id })),
        new("POST", "/api/customers/{id:guid}/erase", Role.Admin, async a =>
        {
            var customer = await a.Admin.CustomerAsync();
            return Post($"/api/customers/{customer.Id}/erase", new { confirm = customer.Id.ToString() });
        }),
        new("GET", "/api/users/", Role.Agent, _ => Get("/api/users")),
        new("GET", "/api/users/me", Role.Agent, _ => Get("/api/users/me")),
        new("POST", "/api/users/", Role.Admin, a => Task.FromResult(Post("/api/users", new
        {
            email = $"m-{Guid.NewGuid():N}@amends.test", displayName = "Matrix", password = "Matrix-Password-1", role = "Agent", teamId = a.Team.Id,
        }))),
        new("PUT", "/api/users/{id:guid}", Role.Admin, async a =>
        {
            var user = await a.CreateUserAsync(a.Admin, Role.Agent, "matrix");
            return new(HttpMethod.Put, $"/api/users/{user.Id}", new { displayName = "Renamed", role = "Agent", teamId = a.Team.Id, isActive = true });
        }),
        new("POST", "/api/users/{id:guid}/password", Role.Admin, async a =>
            Post($"/api/users/{(await a.CreateUserAsync(a.Admin, Role.Agent, "forgetful")).Id}/password", new { newPassword = "A-New-Long-Passphrase-9" })),
        new("GET", "/api/users/me/away", Role.Agent, _ => Get("/api/users/me/away")),
        new("POST", "/api/users/me/away", Role.Agent, _ => Task.FromResult(Post("/api/users/me/away", new { until = TimeProvider.System.GetUtcNow().AddHours(1) })),
            async client => (await client.DeleteAsync("/api/users/me/away")).Dispose()),
        new("DELETE", "/api/users/me/away", Role.Agent, _ => Task.FromResult(new Call(HttpMethod.Delete, "/api/users/me/away"))),
        new("GET", "/api/teams/", Role.Agent, _ => Get("/api/teams")),
        new("POST", "/api/teams/", Role.Admin, _ => Task.FromResult(Post("/api/teams", new { name = "Team " + Guid.NewGuid().ToString("N")[..8] }))),
        new("PUT", "/api/teams/{id:guid}", Role.Admin, async a =>
        {
            var team = await a.Admin.PostJsonAsync<TeamDto>("/api/teams", new { name = "Team " + Guid.NewGuid().ToString("N")[..8] });
            return new(HttpMethod.Put, $"/api/teams/{team.Id}", new { name = team.Name + " renamed" });
        }),
        new("GET", "/api/cases/{id:guid}/remedies", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/{await AgentCase(a)}/remedies")),
        new("GET", "/api/cases/{id:guid}/offers", Role.Agent, async a => new(HttpMethod.Get, $"/api/cases/{await AgentCase(a)}/offers")),
        new("POST", "/api/cases/{id:guid}/offers", Role.Agent, async a => Post($"/api/cases/{await AgentCase(a)}/offers",
            new { options = new[] { new { type = "ApologyOnly", amountMinor = 0L } }, reason = "matrix" })),
        new("POST", "/api/offers/{id:guid}/choice", Role.Agent, async a =>
        {
            var offer = await Offered(a);
            return Post($"/api/offers/{offer.Id}/choice", new { optionId = offer.Options[0].Id });
        }),
        new("POST", "/api/offers/{id:guid}/fulfil", Role.Agent, async a =>
        {
            var offer = await Offered(a);
            await a.Admin.PostJsonAsync<Amends.Web.Features.Remedies.OfferDto>($"/api/offers/{offer.Id}/choice", new { optionId = offer.Options[0].Id });
            return Post($"/api/offers/{offer.Id}/fulfil", new { reference = "R-1" });
        }),
        new("POST", "/api/offers/{id:guid}/withdraw", Role.Agent, async a => Post($"/api/offers/{(await Offered(a)).Id}/withdraw", new { reason = "matrix" })),
        new("GET", "/api/approvals/", Role.Supervisor, _ => Get("/api/approvals")),
        new("POST", "/api/approvals/{id:guid}/approve", Role.Supervisor, async a => Post($"/api/approvals/{(await AwaitingApproval(a)).Id}/approve", new { reason = "fine" })),
        new("POST", "/api/approvals/{id:guid}/deny", Role.Supervisor, async a => Post($"/api/approvals/{(await AwaitingApproval(a)).Id}/deny", new { reason = "too much" })),
        new("GET", "/api/remedy-catalogue/", Role.Agent, _ => Get("/api/remedy-catalogue")),
        new("POST", "/api/remedy-catalogue/", Role.Admin, _ => Task.FromResult(Post("/api/remedy-catalogue",
            new { type = "Gesture", name = "Matrix " + Guid.NewGuid().ToString("N")[..8], defaultAmountMinor = 500 }))),
        new("PUT", "/api/remedy-catalogue/{id:guid}", Role.Admin, async a =>
        {
            var item = await a.Admin.PostJsonAsync<Amends.Web.Features.Remedies.CatalogueItemDto>("/api/remedy-catalogue",
                new { type = "Gesture", name = "Matrix " + Guid.NewGuid().ToString("N")[..8], defaultAmountMinor = 500 });
            return new(HttpMethod.Put, $"/api/remedy-catalogue/{item.Id}", new { type = "Gesture", name = item.Name, defaultAmountMinor = 600, active = true });
        }),
        new("GET", "/api/authority-limits/", Role.Supervisor, _ => Get("/api/authority-limits")),
        new("PUT", "/api/authority-limits/roles/{role}", Role.Admin, _ => Task.FromResult(new Call(HttpMethod.Put, "/api/authority-limits/roles/Admin", new { perCaseMinor = (long?)null, per30DaysMinor = (long?)null }))),
        new("PUT", "/api/authority-limits/users/{userId:guid}", Role.Admin, async a =>
            new(HttpMethod.Put, $"/api/authority-limits/users/{(await a.CreateUserAsync(a.Admin, Role.Agent, "limited")).Id}", new { perCaseMinor = 1000, per30DaysMinor = 2000 })),
        new("DELETE", "/api/authority-limits/users/{userId:guid}", Role.Admin, async a =>
        {
            var user = await a.CreateUserAsync(a.Admin, Role.Agent, "unlimited");
            await a.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/authority-limits/users/{user.Id}")
            {
                Content = JsonContent.Create(new { perCaseMinor = 1000, per30DaysMinor = 2000 }, options: Http.Json),
            });
            return new(HttpMethod.Delete, $"/api/authority-limits/users/{user.Id}");
        }),
        new("GET", "/api/ledger/", Role.Admin, _ => Get("/api/ledger?pageSize=5")),
        new("GET", "/api/ledger/verify", Role.Admin, _ => Get("/api/ledger/verify")),
        new("GET", "/api/ledger/export", Role.Admin, _ => Get("/api/ledger/export")),
        new("GET", "/api/security/two-factor", Role.Admin, _ => Get("/api/security/two-factor")),

        // Setting it to false keeps the shared app as it is for the other tests (cookie sign-ins of agents).
        new("PUT", "/api/security/two-factor/{role}", Role.Admin, _ => Task.FromResult(new Call(HttpMethod.Put, "/api/security/two-factor/Supervisor", new { required = false }))),
        new("GET", "/api/api-keys/", Role.Admin, _ => Get("/api/api-keys")),
        new("POST", "/api/api-keys/", Role.Admin, _ => Task.FromResult(Post("/api/api-keys", new { name = "matrix" }))),
        new("DELETE", "/api/api-keys/{id:guid}", Role.Admin, async a =>
        {
            var key = await a.Admin.PostJsonAsync<CreatedApiKey>("/api/api-keys", new { name = "to revoke" });
            return new(HttpMethod.Delete, $"/api/api-keys/{key.ApiKey.Id}");
        }),
    ];

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var row in Table)
        {
            foreach (var role in new[] { "None", nameof(Role.Agent), nameof(Role.Supervisor), nameof(Role.Admin) })
            {
                data.Add(row.Method, row.Pattern, role);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_answers_each_role_as_its_policy_says(string method, string pattern, string role)
    {
        var row = Table.Single(r => r.Method == method && r.Pattern == pattern);
        Role? caller = role == "None" ? null : Enum.Parse<Role>(role);
        var call = await row.Prepare(app);

        using var request = new HttpRequestMessage(call.Method, call.Url);
        if (call.Csv is not null)
        {
            request.Content = new StringContent(call.Csv, System.Text.Encoding.UTF8, "text/csv");
        }
        else if (call.Body is not null)
        {
            request.Content = JsonContent.Create(call.Body, options: Http.Json);
        }

        using var response = await app.ClientFor(caller).SendAsync(request, TestContext.Current.CancellationToken);
        if (row.Cleanup is not null && response.IsSuccessStatusCode)
        {
            await row.Cleanup(app.ClientFor(caller));
        }

        if (caller is null)
        {
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "auth.required");
        }
        else if (caller < row.MinimumRole)
        {
            await response.AssertProblemAsync(HttpStatusCode.Forbidden, "auth.forbidden");
        }
        else
        {
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"{role} {method} {call.Url}: {(int)response.StatusCode} {text}");
        }
    }

    /// <summary>
    /// API endpoints no user signs in to: a channel's own signature is their authentication (WebhookChannelTests proves a
    /// wrong or stale one is refused).
    /// </summary>
    private static readonly string[] SignedBySender = ["POST /api/channels/{channel}/inbound", "POST /api/channels/{channel}/status"];

    [Fact]
    public void The_table_names_every_api_endpoint_the_app_maps()
    {
        var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet();
        var table = Table.Select(r => $"{r.Method} {r.Pattern}").Concat(SignedBySender).ToHashSet();

        Assert.Empty(mapped.Except(table));
        Assert.Empty(table.Except(mapped));
    }

    [Fact]
    public async Task A_revoked_or_unknown_key_is_401()
    {
        var created = await app.Admin.PostJsonAsync<CreatedApiKey>("/api/api-keys", new { name = "short-lived", userId = app.AgentUser.Id });
        var client = app.NewClient(created.Key);
        using (var ok = await client.GetAsync("/api/users/me", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var revoke = await app.Admin.DeleteAsync($"/api/api-keys/{created.ApiKey.Id}", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var revoked = await client.GetAsync("/api/users/me", TestContext.Current.CancellationToken);
        await revoked.AssertProblemAsync(HttpStatusCode.Unauthorized);
        using var unknown = await app.NewClient(created.Key[..^4] + "zzzz").GetAsync("/api/users/me", TestContext.Current.CancellationToken);
        await unknown.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_deactivated_user_s_key_stops_working()
    {
        var user = await app.CreateUserAsync(app.Admin, Role.Agent, "leaver");
        var client = await app.ClientForUserAsync(app.Admin, user);
        await client.GetJsonAsync<UserDto>("/api/users/me");

        await app.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/users/{user.Id}")
        {
            Content = JsonContent.Create(new { displayName = user.DisplayName, role = "Agent", teamId = app.Team.Id, isActive = false }, options: Http.Json),
        }, TestContext.Current.CancellationToken);

        using var response = await client.GetAsync("/api/users/me", TestContext.Current.CancellationToken);
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Only_the_digest_of_a_key_is_stored_and_the_list_never_shows_secrets()
    {
        var created = await app.Admin.PostJsonAsync<CreatedApiKey>("/api/api-keys", new { name = "secret check" });

        using var list = await app.Admin.GetAsync("/api/api-keys", TestContext.Current.CancellationToken);
        var text = await list.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(created.Key, text, StringComparison.Ordinal);
        Assert.Contains(created.ApiKey.Prefix, text, StringComparison.Ordinal);

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<Amends.Web.Persistence.AmendsDbContext>();
        var row = db.ApiKeys.Single(k => k.Id == created.ApiKey.Id);
        Assert.Equal(32, row.Hash.Length);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(created.Key)), row.Hash);
    }

    [Fact]
    public async Task The_health_check_and_API_reference_need_no_credentials()
    {
        using var health = await app.Anonymous.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var openApi = await app.Anonymous.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        var document = await openApi.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("/api/cases/{id}/acknowledge", document, StringComparison.Ordinal);
        using var docs = await app.Anonymous.GetAsync("/api-docs/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }

    [Fact]
    public async Task A_browser_without_a_session_is_sent_to_the_login_page()
    {
        using var response = await app.Anonymous.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private static object MatrixSignal() => new
    {
        source = "matrix", externalId = Guid.NewGuid().ToString("N"), kind = "Survey", surveyType = "Csat", score = 5,
        occurredAt = TimeProvider.System.GetUtcNow(), customer = new { email = $"matrix-{Guid.NewGuid():N}@example.com" },
    };

    private static Task<Call> Get(string url) => Task.FromResult(new Call(HttpMethod.Get, url));

    private static Call Post(string url, object? body) => new(HttpMethod.Post, url, body ?? new { });

    /// <summary>A retrained head, ready and better than the shipped one (its weights are the shipped head's), as a training leaves one.</summary>
    private static async Task<Guid> ReadyHead(TestApp a)
    {
        await using var scope = a.Scope();
        var db = scope.ServiceProvider.GetRequiredService<Amends.Web.Persistence.AmendsDbContext>();
        var shipped = scope.ServiceProvider.GetRequiredService<Amends.Web.Features.Signals.SentenceScoring>().Shipped;
        var text = new StringWriter();
        shipped.Write(text);
        var now = TimeProvider.System.GetUtcNow();
        var number = (await db.TrainedHeads.MaxAsync(h => (int?)h.Number) ?? 0) + 1;
        var head = Amends.Domain.Signals.TrainedHead.Start(number, "Matrix", now);
        head.Finish(text.ToString(), 12, 6, 4, 0.9, shipped.Version, 0.8, now);
        db.TrainedHeads.Add(head);
        await db.SaveChangesAsync();
        return head.Id;
    }

    /// <summary>Enough judged detected cases for a training to start (made once per app).</summary>
    private static async Task JudgedCases(TestApp a)
    {
        for (var i = 0; i < Amends.Web.Features.Signals.HeadTraining.MinLabels; i++)
        {
            var stored = await a.Admin.PostJsonAsync<Amends.Web.Features.Signals.SignalResult>("/api/signals", new
            {
                source = "matrix", externalId = Guid.NewGuid().ToString("N"), kind = "Survey", surveyType = "Nps", score = 0, occurredAt = TimeProvider.System.GetUtcNow(),
                customer = new { email = $"judged-{Guid.NewGuid():N}@example.com" },
                text = $"Order {i} is late again. I am cancelling my account and I want to speak to a manager.",
            });
            await a.Admin.PostJsonAsync<CaseDetail>($"/api/cases/{stored.CaseId}/detection-verdict", new { verdict = i % 2 == 0 ? "Confirmed" : "NotAProblem" });
        }
    }

    /// <summary>An open incident of its own (a unique location) with one affected customer, as the watch opens one.</summary>
    private static async Task<Guid> NewIncident(TestApp a)
    {
        var customer = await a.Admin.CustomerAsync();
        var now = TimeProvider.System.GetUtcNow();
        var incident = Amends.Domain.Signals.Incident.Open(Amends.Domain.Signals.IncidentDimension.Location, "Matrix-" + Guid.NewGuid().ToString("N")[..8],
            new Amends.Domain.Signals.SpikeReading(5, 0.1, 1e-6, true), now.UtcDateTime.AddHours(-6), now);
        await using var scope = a.Scope();
        var db = scope.ServiceProvider.GetRequiredService<Amends.Web.Persistence.AmendsDbContext>();
        db.Incidents.Add(incident);
        db.IncidentCustomers.Add(Amends.Domain.Signals.IncidentCustomer.Hit(incident.Id, new Amends.Domain.Common.CustomerId(customer.Id), Guid.NewGuid(), now.UtcDateTime));
        await db.SaveChangesAsync();
        return incident.Id;
    }

    /// <summary>A message on one of the test agent's cases, due in an hour: it waits in the outbox while the call acts on it.</summary>
    private static async Task<Guid> Queued(TestApp a) =>
        await a.QueueAsync(await a.Admin.GetJsonAsync<CaseDetail>($"/api/cases/{await AgentCase(a)}"), TimeSpan.FromHours(1));

    /// <summary>A message in the Spam view, with HTML and an attachment, as the mailbox reader stores one.</summary>
    private static async Task<Amends.Web.Features.Messaging.Email.IntakeResult> Spam(TestApp a)
    {
        var builder = new MimeKit.BodyBuilder { TextBody = "Buy now", HtmlBody = "<p>Buy <b>now</b></p>" };
        builder.Attachments.Add("offer.pdf", [1, 2, 3]);
        var message = new MimeKit.MimeMessage { Subject = "Offer", MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("spam.test"), Body = builder.ToMessageBody() };
        message.From.Add(new MimeKit.MailboxAddress("", $"spam-{Guid.NewGuid():N}@spam.test"));
        message.Headers.Add("X-Spam-Flag", "YES");
        await using var scope = a.Scope();
        return await scope.ServiceProvider.GetRequiredService<Amends.Web.Features.Messaging.Email.EmailIntake>().ProcessAsync(message, CancellationToken.None);
    }

    private static async Task<Guid> AgentCase(TestApp a)
    {
        var c = await a.Admin.CaseAsync();
        await a.Admin.PostJsonAsync<CaseDetail>($"/api/cases/{c.Id}/assign", new { ownerId = a.AgentUser.Id });
        return c.Id;
    }

    private static async Task<Amends.Web.Features.Remedies.OfferDto> Offered(TestApp a) =>
        await a.Admin.PostJsonAsync<Amends.Web.Features.Remedies.OfferDto>($"/api/cases/{await AgentCase(a)}/offers",
            new { options = new[] { new { type = "Gesture", amountMinor = 100L } }, reason = "matrix" });

    // Above an agent's per-case limit (50.00), within a supervisor's (500.00).
    private static async Task<Amends.Web.Features.Remedies.OfferDto> AwaitingApproval(TestApp a) =>
        await a.Agent.PostJsonAsync<Amends.Web.Features.Remedies.OfferDto>($"/api/cases/{await AgentCase(a)}/offers",
            new { options = new[] { new { type = "Refund", amountMinor = 6_000L } }, reason = "matrix" });

    /// <summary>A case owned by the test agent (agents work only their own, their cover's or unowned cases), moved through <paramref name="steps"/>.</summary>
    private static async Task<CaseDetail> CaseIn(TestApp a, params string[] steps)
    {
        var c = await a.Admin.GetJsonAsync<CaseDetail>($"/api/cases/{await AgentCase(a)}");
        foreach (var step in steps)
        {
            c = await a.Admin.ActAsync(c.Id, step, step == "wait" ? new { reason = "r" } : null);
        }

        return c;
    }

    private static async Task<CaseDetail> Escalated(TestApp a)
    {
        var c = await CaseIn(a);
        return await a.Admin.ActAsync(c.Id, "escalations", new { reason = "OwnerAskedForHelp" });
    }

    private static async Task<CaseDetail> Resolved(TestApp a)
    {
        var c = await CaseIn(a, "acknowledge", "start");
        return await a.Admin.ActAsync(c.Id, "resolve", new { resolution = "r", apologyOnly = true });
    }
}

[Collection(SqliteCollection.Name)]
public sealed class AuthorizationMatrixTestsOnSqlite(SqliteApp app) : AuthorizationMatrixTests(app);

[Collection(PostgresCollection.Name)]
public sealed class AuthorizationMatrixTestsOnPostgres(PostgresApp app) : AuthorizationMatrixTests(app);
