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
}
