using Amends.Domain.Teams;
using Amends.EndToEnd.Tests.Pages;
using Amends.Web.Features.Admin;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Remedies;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests;

/// <summary>
/// A script payload in every free-text field the API accepts (names of teams, users, customers and catalogue entries;
/// case summaries, notes, messages, reasons, resolutions, promises, offers, follow-up comments), then every page opened
/// as each role, one browser session per role: nothing may run, whichever way the page renders the text (tables,
/// chart labels, chips, tooltips).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScriptPayloadTests(BrowserApp browser)
{
    private const string Payload = "<img src=x onerror=\"window.__pwned=(window.__pwned||0)+1\"><script>window.__pwned=100</script><svg onload=\"window.__pwned=1000\">";

    /// <summary>For names, which are short.</summary>
    private const string Short = "<img src=x onerror=\"window.__pwned=1\">";

    private TestApp App => browser.App;

    [Fact]
    public async Task No_page_runs_a_payload_stored_in_any_free_text_field_for_any_role()
    {
        var pages = await SeedPayloadsAsync();

        var failures = new List<string>();
        foreach (var (role, user) in new[] { (Role.Agent, App.AgentUser), (Role.Supervisor, App.SupervisorUser), (Role.Admin, App.AdminUser) })
        {
            var page = await browser.NewPageAsync();
            var dialogs = 0;
            page.Dialog += (_, dialog) =>
            {
                dialogs++;
                _ = dialog.DismissAsync();
            };
            await new LoginPage(page).SignInAsync(user.Email!, BrowserApp.Password);
            foreach (var (url, minimum) in pages)
            {
                if (role < minimum)
                {
                    continue;
                }

                await page.GotoAsync(url);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

                // Interactive components render after the circuit connects; give them a moment to draw everything.
                await page.WaitForTimeoutAsync(300);
                var ran = await page.EvaluateAsync<int>("() => window.__pwned ?? 0");
                var injected = await page.Locator("img[src='x'], svg[onload]").CountAsync();
                if (url == "/reports")
                {
                    // The chart labels are where a name reached the SVG as markup: prove the payload is there, as text.
                    var labels = await page.Locator(".mud-chart svg text").AllTextContentsAsync();
                    if (!labels.Any(l => l.Contains("Team <img", StringComparison.Ordinal)))
                    {
                        failures.Add($"{role} {url}: the chart does not show the team's name as text ({string.Join(" | ", labels.Take(10))})");
                    }
                }

                if (ran != 0 || injected != 0 || dialogs != 0)
                {
                    failures.Add($"{role} {url}: ran {ran}, injected elements {injected}, dialogs {dialogs}");
                }
            }

            await page.Context.CloseAsync();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Stores the payload everywhere free text goes; returns the pages to open with the least role that sees each.</summary>
    private async Task<List<(string Url, Role Minimum)>> SeedPayloadsAsync()
    {
        var team = await App.Admin.PostJsonAsync<TeamDto>("/api/teams", new { name = "Team " + Short + Guid.NewGuid().ToString("N")[..4] });
        var agent = await App.Admin.PostJsonAsync<UserDto>("/api/users", new
        {
            email = $"xss-{Guid.NewGuid():N}@amends.test",
            displayName = "Agent " + Short,
            password = BrowserApp.Password,
            role = "Agent",
            teamId = team.Id,
        });
        await App.Admin.PostJsonAsync<CreatedApiKey>("/api/api-keys", new { name = "Key " + Short });
        await App.Admin.PostJsonAsync<CatalogueItemDto>("/api/remedy-catalogue", new { type = "Gesture", name = "Gift " + Short + Guid.NewGuid().ToString("N")[..4], defaultAmountMinor = 500 });

        var customer = await App.Agent.PostJsonAsync<Amends.Web.Features.Customers.CustomerDto>("/api/customers", new
        {
            name = "Customer " + Short,
            email = $"payload-{Guid.NewGuid():N}@example.com",
            phone = "+44 7700 900123",
        });
        var c = await App.Admin.PostJsonAsync<CaseDetail>("/api/cases", new
        {
            customerId = customer.Id, category = "BillingError", summary = "Summary " + Payload, channel = "Email", teamId = team.Id, ownerId = App.AgentUser.Id,
        });
        await App.Agent.ActAsync(c.Id, "notes", new { body = "Note " + Payload });
        await App.Agent.ActAsync(c.Id, "messages", new { direction = "In", body = "Message " + Payload });
        await App.Agent.ActAsync(c.Id, "acknowledge");
        await App.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises", new { text = "Promise " + Payload, dueAt = TimeProvider.System.GetUtcNow().AddDays(2) });
        await App.Agent.ActAsync(c.Id, "escalations", new { reason = "OwnerAskedForHelp", note = "Escalation " + Payload });
        await App.Agent.PostJsonAsync<OfferDto>($"/api/cases/{c.Id}/offers",
            new { options = new[] { new { type = "Refund", description = "Refund " + Payload, amountMinor = 9_000L } }, reason = "Offer " + Payload });
        // A reply by SMS, which has no channel configured here and so lands in the Mailbox (with a link whose quote tries to
        // break out of the href the Mailbox makes of it), and the customer's own reply.
        var reply = await App.Agent.PostJsonAsync<Amends.Web.Features.Messaging.ReplyResult>($"/api/cases/{c.Id}/replies",
            new { body = "Reply " + Payload + " https://x.test/\"onmouseover=\"window.__pwned=7\" ", channel = "Sms", consent = "Consent " + Payload });
        var status = await App.Agent.GetJsonAsync<Amends.Web.Features.Messaging.StatusLink>($"/api/cases/{c.Id}/status-link");
        await App.Agent.ActAsync(c.Id, "messages", new { direction = "In", body = "Customer " + Payload });
        await App.Agent.ActAsync(c.Id, "start");
        await App.Agent.ActAsync(c.Id, "wait", new { reason = "Wait " + Payload });
        await App.Agent.ActAsync(c.Id, "resume");
        await App.Agent.ActAsync(c.Id, "resolve", new { resolution = "Resolution " + Payload, apologyOnly = true });
        await App.Agent.ActAsync(c.Id, "follow-up", new { score = 2, comment = "Comment " + Payload });
        await App.Agent.ActAsync(c.Id, "resolve", new { resolution = "Again " + Payload, apologyOnly = true });
        await App.Agent.ActAsync(c.Id, "close", new { outcome = "NotRecovered", reason = "Reason " + Payload });

        // A case of the payload agent's, so their name is on the escalation queue; in another team, so the SLA report has
        // two rows and draws its chart.
        var theirs = await App.Admin.PostJsonAsync<CaseDetail>("/api/cases", new
        {
            customerId = customer.Id, category = "LateDelivery", summary = "Second " + Payload, channel = "Chat", ownerId = agent.Id, teamId = App.Team.Id,
        });
        await App.Admin.ActAsync(theirs.Id, "escalations", new { reason = "CustomerAskedForManager", note = "Again " + Payload });

        return
        [
            ("/", Role.Agent),
            ($"/cases/{c.Id}", Role.Agent),
            ($"/cases/{theirs.Id}", Role.Agent),
            ("/customers?q=Customer", Role.Agent),
            ($"/customers/{customer.Id}", Role.Agent),
            ("/me", Role.Agent),
            ("/escalations", Role.Supervisor),
            ("/approvals", Role.Supervisor),
            ("/reports", Role.Supervisor),
            ("/reports/cost", Role.Supervisor),
            ("/admin/users", Role.Admin),
            ("/admin/teams", Role.Admin),
            ("/admin/remedies", Role.Admin),
            ("/admin/ledger", Role.Admin),
            ("/admin/api-keys", Role.Admin),
            ("/admin/playbooks", Role.Admin),
            ($"/mailbox/{reply.Message!.Id}", Role.Agent),
            ("/outbox", Role.Supervisor),
            (new Uri(status.Url).PathAndQuery, Role.Agent),
        ];
    }
}
