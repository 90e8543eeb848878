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
        var workspace = await (await new LoginPage(agentPage).SignInAsync(App.AgentUser.Email!, BrowserApp.Password)).OpenAsync(summary);
        var panel = agentPage.Locator("[data-testid=remedy-panel]");
        await Assertions.Expect(panel.Locator("[data-testid=authority]")).ToContainTextAsync("EUR 50.00");

        await panel.Locator("[data-testid=option-remedy]").SelectOptionAsync(new SelectOptionValue { Label = "Full refund (EUR 100.00)" });
        var amount = panel.Locator("input[data-testid=option-amount], [data-testid=option-amount] input");
        await Assertions.Expect(amount).ToHaveValueAsync("100.00");

        // Before submitting, the form says what will happen: above 50.00 it waits for approval, within it it does not.
        await Assertions.Expect(panel.Locator("[data-testid=offer-preview]")).ToContainTextAsync("will wait for approval");
        await amount.FillAsync("20");
        await Assertions.Expect(panel.Locator("[data-testid=offer-preview]")).ToContainTextAsync("Within your authority");
        await amount.FillAsync("100");
        await Assertions.Expect(panel.Locator("[data-testid=offer-preview]")).ToContainTextAsync("will wait for approval");
        await panel.Locator("[data-testid=make-offer]").ClickAsync();

        await Assertions.Expect(panel.Locator("[data-testid=remedy-notice]")).ToContainTextAsync("waits for approval");
        await Assertions.Expect(panel.Locator("[data-testid=offer-status]").First).ToHaveTextAsync("Awaiting approval");
        await Assertions.Expect(panel.Locator("[data-testid=awaiting-approval]")).ToBeVisibleAsync();

        var supervisorPage = await browser.NewPageAsync();
        await new LoginPage(supervisorPage).SignInAsync(App.SupervisorUser.Email!, BrowserApp.Password);
        await Assertions.Expect(supervisorPage.Locator("[data-testid=approvals-count]")).ToBeVisibleAsync();
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

    [Fact]
    public async Task A_supervisor_can_decide_on_a_phone()
    {
        var c = await App.Admin.CaseAsync(summary: "Phone approval " + Guid.NewGuid().ToString("N")[..6]);
        await App.Admin.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>($"/api/cases/{c.Id}/assign", new { ownerId = App.AgentUser.Id });
        await App.Agent.PostJsonAsync<Amends.Web.Features.Remedies.OfferDto>($"/api/cases/{c.Id}/offers", new { options = new[] { new { type = "Refund", amountMinor = 9_000L } }, reason = "phone" });
        var page = await browser.NewPageAsync(390, 844);
        await new LoginPage(page).SignInAsync(App.SupervisorUser.Email!, BrowserApp.Password);

        await page.GotoAsync("/approvals");
        var row = page.Locator("[data-testid=approval-row]").Filter(new LocatorFilterOptions { HasText = c.Summary });
        await Assertions.Expect(row.Locator("[data-testid=approve]")).ToBeVisibleAsync();
        Assert.False(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1"), "The approvals queue scrolls sideways on a phone.");
        await Assertions.Expect(row).ToContainTextAsync("EUR 90.00");
    }

    [Fact]
    public async Task An_admin_verifies_the_ledger_chain_on_its_page()
    {
        var c = await App.Admin.CaseAsync();
        await App.Admin.PostJsonAsync<Amends.Web.Features.Remedies.OfferDto>($"/api/cases/{c.Id}/offers", new { options = new[] { new { type = "Gesture", amountMinor = 1_500L } }, reason = "thanks for waiting" });
        var page = await browser.NewPageAsync();
        await new LoginPage(page).SignInAsync(App.AdminUser.Email!, BrowserApp.Password);

        await page.GotoAsync("/admin/ledger");
        await Assertions.Expect(page.Locator("[data-testid=ledger-row]").First).ToContainTextAsync("offer.granted");
        await page.ClickAsync("[data-testid=verify]");

        await Assertions.Expect(page.Locator("[data-testid=verify-result]")).ToContainTextAsync("intact and chained");
    }
}
