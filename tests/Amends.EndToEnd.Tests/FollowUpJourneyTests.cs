using Amends.EndToEnd.Tests.Pages;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests;

[Collection(BrowserCollection.Name)]
public sealed class FollowUpJourneyTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task The_agent_takes_the_answer_links_and_the_customer_confirms_a_score_that_closes_the_case()
    {
        var summary = "Follow-up link " + Guid.NewGuid().ToString("N")[..6];
        var c = await App.Agent.CaseAsync(summary: summary);
        await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>($"/api/cases/{c.Id}/assign", new { ownerId = App.AgentUser.Id });
        await App.Agent.ActAsync(c.Id, "acknowledge");
        await App.Agent.ActAsync(c.Id, "start");
        await App.Agent.ActAsync(c.Id, "resolve", new { resolution = "Apologised and explained", apologyOnly = true });
        var agentPage = await browser.NewPageAsync();
        await new LoginPage(agentPage).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await agentPage.GotoAsync($"/cases/{c.Id}");

        await agentPage.ClickAsync("[data-testid=answer-links]");
        var link = await agentPage.Locator("[data-testid=answer-link-5]").InputValueAsync();
        Assert.Contains("/feedback/", link, StringComparison.Ordinal);

        var customer = await browser.NewPageAsync(390, 844);
        await customer.GotoAsync(link);
        await Assertions.Expect(customer.GetByRole(AriaRole.Heading, new() { Name = "How did we do?" })).ToBeVisibleAsync();
        await Assertions.Expect(customer.Locator("input[name=score][value='5']")).ToBeCheckedAsync();
        Assert.Equal(Amends.Domain.Cases.CaseStatus.Resolved, (await App.Agent.GetJsonAsync<Amends.Web.Features.Cases.CaseDetail>($"/api/cases/{c.Id}")).Status);
        await customer.FillAsync("#comment", "Kind and quick <b>thanks</b>");
        await customer.ClickAsync("[data-testid=feedback-confirm]");

        await Assertions.Expect(customer.Locator("[data-testid=feedback-thanks]")).ToBeVisibleAsync();
        var closed = await App.Agent.GetJsonAsync<Amends.Web.Features.Cases.CaseDetail>($"/api/cases/{c.Id}");
        Assert.Equal(Amends.Domain.Cases.CaseOutcome.Recovered, closed.Outcome);
        await customer.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "feedback-thanks.png") });
    }
}
