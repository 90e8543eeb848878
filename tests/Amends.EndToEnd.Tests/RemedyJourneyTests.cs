using Amends.EndToEnd.Tests.Pages;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests;

[Collection(BrowserCollection.Name)]
public sealed class RemedyJourneyTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task An_agent_offers_above_their_limit_the_supervisor_approves_it_in_the_queue_and_the_agent_sees_it_granted()
    {
        var customer = await App.Agent.CustomerAsync("Grace Okafor");
        var summary = "Sofa delivered torn " + Guid.NewGuid().ToString("N")[..6];
        await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>("/api/cases", new
        {
            customerId = customer.Id, category = "DefectiveProduct", summary, channel = "Email", ownerId = App.AgentUser.Id,
        });
        var agentPage = await browser.NewPageAsync();
        var workspace = await (await new LoginPage(agentPage).SignInAsync(App.AgentUser.Email, BrowserApp.Password)).OpenAsync(summary);
        var panel = agentPage.Locator("[data-testid=remedy-panel]");
        await Assertions.Expect(panel.Locator("[data-testid=authority]")).ToContainTextAsync("EUR 50.00");

        await panel.Locator("[data-testid=option-remedy]").SelectOptionAsync(new SelectOptionValue { Label = "Full refund (EUR 100.00)" });
        await Assertions.Expect(panel.Locator("input[data-testid=option-amount], [data-testid=option-amount] input")).ToHaveValueAsync("100.00");
        await panel.Locator("[data-testid=make-offer]").ClickAsync();

        await Assertions.Expect(panel.Locator("[data-testid=remedy-notice]")).ToContainTextAsync("waits for approval");
        await Assertions.Expect(panel.Locator("[data-testid=offer-status]").First).ToHaveTextAsync("Awaiting approval");
        await Assertions.Expect(panel.Locator("[data-testid=awaiting-approval]")).ToBeVisibleAsync();

        var supervisorPage = await browser.NewPageAsync();
        await new LoginPage(supervisorPage).SignInAsync(App.SupervisorUser.Email, BrowserApp.Password);
        await supervisorPage.GotoAsync("/approvals");
        var row = supervisorPage.Locator("[data-testid=approval-row]").Filter(new LocatorFilterOptions { HasText = summary });
        await Assertions.Expect(row).ToContainTextAsync("EUR 100.00");
        await Assertions.Expect(row).ToContainTextAsync(App.AgentUser.DisplayName);
        await row.Locator("[data-testid=approve]").ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);

        await Assertions.Expect(panel.Locator("[data-testid=offer-status]").First).ToHaveTextAsync("Offered");
        await Assertions.Expect(panel.Locator("[data-testid=awaiting-approval]")).ToHaveCountAsync(0);
        await Assertions.Expect(panel).ToContainTextAsync($"{App.SupervisorUser.DisplayName}");
        await agentPage.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "remedy-approved.png"), FullPage = true });
        Assert.NotNull(workspace);
    }
}
