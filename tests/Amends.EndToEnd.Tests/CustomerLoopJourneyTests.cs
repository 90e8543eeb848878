using System.Text.RegularExpressions;
using Amends.EndToEnd.Tests.Pages;
using Amends.Web.Features.Remedies;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests;

/// <summary>
/// The whole loop with a customer: an agent replies by e-mail, the mail arrives at a real SMTP server, the customer
/// opens their status page from it on a phone with no JavaScript, chooses a remedy and replies, and the agent sees it
/// live.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class CustomerLoopJourneyTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task An_agent_replies_by_email_and_the_customer_answers_from_the_status_page_on_a_phone()
    {
        var customer = await App.Agent.CustomerAsync("Maya Okafor");
        var summary = "Blender arrived broken " + Guid.NewGuid().ToString("N")[..6];
        var c = await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>("/api/cases", new
        {
            customerId = customer.Id, category = "DefectiveProduct", summary, channel = "Email", ownerId = App.AgentUser.Id,
        });
        await App.Agent.PostJsonAsync<OfferDto>($"/api/cases/{c.Id}/offers", new
        {
            options = new object[] { new { type = "Replacement", amountMinor = 4000L, description = "A new blender tomorrow" }, new { type = "Refund", amountMinor = 4000L, description = "Your money back" } },
            reason = "journey",
        });

        // The agent writes from the workspace; the mail reaches the SMTP server with the case number and the status link.
        var agent = await browser.NewPageAsync();
        var workspace = await (await new LoginPage(agent).SignInAsync(App.AgentUser.Email!, BrowserApp.Password)).OpenAsync(summary);
        await workspace.SendReplyAsync("Hi Maya, I'm so sorry. Choose a new blender or your money back on your case page.");
        // (The offer made above has its own automatic update; this is the agent's reply.)
        var mail = Assert.Single(await browser.Smtp.WaitForAsync(1, which: m => m.Subject?.Contains(c.Number, StringComparison.Ordinal) == true
            && m.TextBody?.Contains("I'm so sorry", StringComparison.Ordinal) == true));
        Assert.Equal(customer.Email, mail.To.Mailboxes.Single().Address);
        var link = StatusLink().Match(mail.TextBody ?? "").Value;
        Assert.NotEmpty(link);
        await Assertions.Expect(workspace.Timeline.First.Locator("[data-testid=delivery]")).ToContainTextAsync("Sent to " + customer.Email);
        await Assertions.Expect(agent.Locator("[data-testid=status-page-link]")).ToHaveAttributeAsync("href", new Regex("/status/"));

        // The customer, on a phone, with JavaScript off.
        var phone = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 }, JavaScriptEnabled = false, IsMobile = true,
        });
        var page = await phone.NewPageAsync();
        await page.GotoAsync(link);
        await Assertions.Expect(page.Locator("[data-testid=status-number]")).ToHaveTextAsync(c.Number);
        await Assertions.Expect(page.Locator("[data-testid=status-timeline]")).ToContainTextAsync("I'm so sorry");
        await page.GetByLabel("Your money back").CheckAsync();
        await page.ClickAsync("[data-testid=status-choose]");
        await Assertions.Expect(page.Locator("[data-testid=status-confirm]")).ToContainTextAsync("Your money back");
        await page.ClickAsync("[data-testid=status-confirm-choice]");
        await Assertions.Expect(page.Locator("[data-testid=status-chosen]")).ToBeVisibleAsync();
        await page.FillAsync("[data-testid=status-reply-text]", "Thank you, the refund please. Maya");
        await page.ClickAsync("[data-testid=status-reply]");
        await Assertions.Expect(page.Locator("[data-testid=status-sent]")).ToBeVisibleAsync();
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 391, $"The status page is {width} px wide on a 390 px phone.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "status-phone.png"), FullPage = true });

        // The agent's open workspace shows both, without a reload.
        await Assertions.Expect(workspace.Timeline.Filter(new() { HasText = "Thank you, the refund please." })).ToHaveCountAsync(1);
        await Assertions.Expect(workspace.Timeline.Filter(new() { HasText = "The customer chose: Your money back" })).ToHaveCountAsync(1);
        await phone.CloseAsync();
    }

    [GeneratedRegex(@"http\S+/status/[A-Za-z0-9_\-]+")]
    private static partial Regex StatusLink();
}
