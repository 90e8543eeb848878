using Amends.Web.Features.Signals;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests;

/// <summary>A bad review arrives through the signals API; an agent finds it on the customer's page and on the case it opened.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DetectionJourneyTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task A_bad_review_opens_a_case_the_agent_sees_with_its_reason()
    {
        var email = $"review-{Guid.NewGuid():N}@example.com";
        var text = "Rude on the phone and the kettle arrived broken. <script>alert(1)</script> Never again!";
        var signal = await App.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "reviews", externalId = Guid.NewGuid().ToString("N"), kind = "Review", rating = 1, site = "Trustpilot",
            occurredAt = TimeProvider.System.GetUtcNow().AddHours(-2), customer = new { email, name = "Rosa Review" }, text,
        });
        Assert.Equal(Amends.Domain.Signals.SignalAction.Opened, signal.Action);
        var customerId = (await App.Agent.GetJsonAsync<SignalDto>($"/api/signals/{signal.SignalId}")).CustomerId;

        var page = await browser.NewPageAsync();
        await new Pages.LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await page.GotoAsync($"/customers/{customerId}");
        var item = page.Locator("[data-testid=customer-signal]");
        await Assertions.Expect(item).ToHaveCountAsync(1);
        await Assertions.Expect(item).ToContainTextAsync("1-star review on Trustpilot");
        await Assertions.Expect(item).ToContainTextAsync($"risk {signal.Risk}");
        await Assertions.Expect(item).ToContainTextAsync("Posted a 1-star review in public");

        // What the reviewer wrote is shown as text, never run.
        await Assertions.Expect(item.Locator(".entry-body")).ToHaveTextAsync(text);
        Assert.Equal(0, await page.Locator("[data-testid=customer-signal] script").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "customer-signals.png"), FullPage = true });

        await item.GetByText("opened a case").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=timeline]")).ToBeVisibleAsync();
        var detected = page.Locator("[data-testid=timeline-entry].kind-signal");
        await Assertions.Expect(detected).ToContainTextAsync("Detected");
        await Assertions.Expect(detected).ToContainTextAsync($"risk {signal.Risk}/100");
        await Assertions.Expect(detected).ToContainTextAsync("Never again!");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "case-detected.png"), FullPage = true });
    }

    [Fact]
    public async Task A_csv_import_shows_its_progress_and_errors_and_its_detected_cases_reach_the_inbox()
    {
        // 1,200 rows (three batches), one of them a furious survey answer and one with a bad date.
        var run = Guid.NewGuid().ToString("N")[..10];
        var csv = new System.Text.StringBuilder("source,externalId,kind,occurredAt,email,name,surveyType,score,text,event\n");
        csv.Append($"survey-tool,{run}-angry,Survey,2026-11-30T14:05:00Z,{run}-angry@example.com,Imogen Import,Nps,0,\"Third time it broke. I am cancelling my account.\",\n");
        csv.Append($"survey-tool,{run}-bad,Survey,last Tuesday,{run}-bad@example.com,,Nps,9,,\n");
        for (var i = 0; i < 1_198; i++)
        {
            csv.Append($"shop,{run}-{i},Behaviour,2026-11-30T10:00:00Z,{run}-{i % 50}@example.com,,,,,OrderPlaced\n");
        }

        var file = Path.Combine(Path.GetTempPath(), $"signals-{run}.csv");
        await File.WriteAllTextAsync(file, csv.ToString(), TestContext.Current.CancellationToken);

        var page = await browser.NewPageAsync();
        await new Pages.LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await page.GotoAsync("/signals/import");
        await page.Locator("[data-testid=csv-file]").SetInputFilesAsync(file);

        await Assertions.Expect(page.Locator("[data-testid=import-progress]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=import-progress-text]")).ToHaveTextAsync("1,200 of 1,200 rows", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=import-progress] [role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Assertions.Expect(page.Locator("[data-testid=import-summary]")).ToContainTextAsync("1,199 stored");
        await Assertions.Expect(page.Locator("[data-testid=import-summary]")).ToContainTextAsync("1 refused");
        var error = page.Locator("[data-testid=import-error-row]");
        await Assertions.Expect(error).ToHaveCountAsync(1);
        await Assertions.Expect(error).ToContainTextAsync("3occurredAt");
        await Assertions.Expect(error).ToContainTextAsync("\"last Tuesday\" is not a date and time");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "signals-import.png"), FullPage = true });

        // The furious answer's case is in the Detected view, with its reason (the worker opens it within moments).
        var customer = (await App.Agent.GetJsonAsync<Amends.Web.Features.Cases.Paged<Amends.Web.Features.Customers.CustomerDto>>(
            $"/api/customers?q={run}-angry%40example.com")).Items.Single();
        await Eventually.UntilAsync(
            () => App.Agent.GetJsonAsync<Amends.Web.Features.Cases.Paged<SignalDto>>($"/api/signals?customerId={customer.Id}"),
            signals => signals.Items.SingleOrDefault()?.Action == Amends.Domain.Signals.SignalAction.Opened);
        await page.ClickAsync("[data-testid=see-detected]");
        var inbox = new Pages.InboxPage(page);
        await Assertions.Expect(page.Locator("[data-testid=view-detected]")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(inbox.Row("Third time it broke")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(inbox.Row("Third time it broke")).ToContainTextAsync("Detected · NPS 0");
        await Assertions.Expect(inbox.Row("Third time it broke")).ToContainTextAsync("Imogen Import");
    }

    [Fact]
    public async Task A_supervisor_reaches_everyone_an_incident_hit_from_its_page()
    {
        // Six late deliveries at one depot in the last hours, none in the same hours of the weeks before.
        var depot = "Depot " + Guid.NewGuid().ToString("N")[..6];
        var now = TimeProvider.System.GetUtcNow();
        var items = Enumerable.Range(0, 6).Select(i => new
        {
            source = "shop", externalId = $"{depot}-{i}", kind = "Behaviour", @event = "DeliveryLate", occurredAt = now.AddMinutes(-15 * (i + 1)), location = depot,
            customer = new { email = $"late-{i}-{Guid.NewGuid():N}@example.com", name = $"Lena Late {i}" },
        }).ToArray();
        await App.Agent.PostJsonAsync<SignalBatchResult>("/api/signals/batch", new { items });
        await App.Admin.PostJsonAsync<IncidentCheck>("/api/incidents/check", new { });

        var page = await browser.NewPageAsync();
        await new Pages.LoginPage(page).SignInAsync(App.SupervisorUser.Email!, BrowserApp.Password);
        await page.GotoAsync("/incidents");
        var row = page.Locator("[data-testid=incident-row]", new() { HasText = depot });
        await Assertions.Expect(row).ToContainTextAsync("6 customers had a problem in");
        await row.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=incident-affected]")).ToHaveTextAsync("6");
        await Assertions.Expect(page.Locator("[data-testid=incident-customer]")).ToHaveCountAsync(6);

        // A message with a merge field it does not know is refused beside the field; a good one reaches all six.
        await page.Locator("input[data-testid=incident-subject]").FillAsync("Your parcel is late, and we are sorry");
        await page.Locator("textarea[data-testid=incident-body]").FillAsync("Hi {{owner.name}}");
        await page.ClickAsync("[data-testid=incident-send]");
        await Assertions.Expect(page.GetByText("is not a merge field here")).ToBeVisibleAsync();
        await page.Locator("textarea[data-testid=incident-body]").FillAsync("Hi {{customer.firstName|there}}, our depot is behind; your parcel reaches you tomorrow.");
        await page.ClickAsync("[data-testid=incident-send]");
        await Assertions.Expect(page.Locator("[data-testid=incident-result]")).ToContainTextAsync("6 done, 0 left");
        await page.ClickAsync("[data-testid=incident-open-cases]");
        await Assertions.Expect(page.Locator("[data-testid=incident-result]")).ToContainTextAsync("6 done, 0 left");
        await Assertions.Expect(page.Locator("[data-testid=incident-customer] a[href^='/cases/']")).ToHaveCountAsync(6);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "incident.png"), FullPage = true });
    }
}
