using Amends.EndToEnd.Tests.Pages;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests;

[Collection(BrowserCollection.Name)]
public sealed class CustomerDataJourneyTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task An_admin_erases_a_customer_after_typing_ERASE_and_agents_never_see_the_option()
    {
        var customer = await App.Agent.CustomerAsync("Olga Forgetme");
        var admin = await browser.NewPageAsync();
        await new LoginPage(admin).SignInAsync(App.AdminUser.Email!, BrowserApp.Password);
        await admin.GotoAsync($"/customers/{customer.Id}");

        await admin.ClickAsync("[data-testid=erase-customer]");
        await Assertions.Expect(admin.Locator("[data-testid=erase-go]")).ToBeDisabledAsync();
        await admin.Locator("[data-testid=erase-confirm] input, input[data-testid=erase-confirm]").FillAsync("ERASE");
        await admin.Locator("[data-testid=erase-confirm] input, input[data-testid=erase-confirm]").BlurAsync();
        await admin.ClickAsync("[data-testid=erase-go]");

        await Assertions.Expect(admin.Locator("[data-testid=customer-heading]")).ToHaveTextAsync(Amends.Domain.Customers.Customer.ErasedName);
        await admin.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "customer-erased.png") });
        var agent = await browser.NewPageAsync();
        await new LoginPage(agent).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await agent.GotoAsync($"/customers/{(await App.Agent.CustomerAsync()).Id}");
        await Assertions.Expect(agent.Locator("[data-testid=customer-card]")).ToBeVisibleAsync();
        Assert.Equal(0, await agent.Locator("[data-testid=customer-data]").CountAsync());
    }
}

[Collection(BrowserCollection.Name)]
public sealed class ReportLabelTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task The_cost_report_names_categories_as_the_rest_of_the_UI_does()
    {
        var c = await App.Agent.CaseAsync(category: "BillingError", ownerId: App.AgentUser.Id);
        var offer = await App.Agent.PostJsonAsync<Amends.Web.Features.Remedies.OfferDto>($"/api/cases/{c.Id}/offers",
            new { options = new[] { new { type = "Refund", amountMinor = 1_500L } } });
        await App.Agent.PostJsonAsync<Amends.Web.Features.Remedies.OfferDto>($"/api/offers/{offer.Id}/choice", new { optionId = offer.Options[0].Id });
        await App.Agent.PostJsonAsync<Amends.Web.Features.Remedies.OfferDto>($"/api/offers/{offer.Id}/fulfil", new { reference = "R-7" });
        var page = await browser.NewPageAsync();
        await new LoginPage(page).SignInAsync(App.SupervisorUser.Email!, BrowserApp.Password);

        await page.GotoAsync("/reports/cost");

        var table = page.Locator("[data-testid=cost-report]");
        await Assertions.Expect(table).ToContainTextAsync("Billing error");
        await Assertions.Expect(table).Not.ToContainTextAsync("BillingError");
    }
}

[Collection(BrowserCollection.Name)]
public sealed class ChangeBannerTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task The_user_s_own_change_never_raises_the_banner_and_someone_else_s_shows_what_changed()
    {
        var summary = "Banner " + Guid.NewGuid().ToString("N")[..6];
        var c = await App.Agent.CaseAsync(summary: summary, ownerId: App.AgentUser.Id);
        var page = await browser.NewPageAsync();
        var workspace = await (await new LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password)).OpenAsync(summary);

        // The agent's own change, from another tab (the API as them): shown, no warning.
        await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.PromiseDto>($"/api/cases/{c.Id}/promises", new { text = "Call back tomorrow", dueAt = TimeProvider.System.GetUtcNow().AddDays(1) });
        // The promise, and the automatic update that tells the customer about it (the system's, so no warning either).
        await Assertions.Expect(workspace.Timeline.Filter(new() { HasText = "Call back tomorrow" })).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=stale-banner]")).ToHaveCountAsync(0);

        await App.Supervisor.ActAsync(c.Id, "notes", new { body = "Customer rang the shop too" });

        await Assertions.Expect(page.Locator("[data-testid=stale-banner]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=stale-changes]")).ToContainTextAsync("Customer rang the shop too");
        await Assertions.Expect(page.Locator("[data-testid=stale-changes]")).ToContainTextAsync(App.SupervisorUser.DisplayName);
    }
}

[Collection(BrowserCollection.Name)]
public sealed class ComposerTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task A_draft_survives_leaving_the_case_a_template_never_replaces_it_and_a_placeholder_left_stops_the_send()
    {
        var summary = "Composer " + Guid.NewGuid().ToString("N")[..6];
        var c = await App.Agent.CaseAsync(summary: summary, category: "LateDelivery", ownerId: App.AgentUser.Id);
        var page = await browser.NewPageAsync();
        var inbox = await new LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await inbox.OpenAsync(summary);
        await page.ClickAsync("[data-testid=tab-reply]");
        var reply = page.Locator("[data-testid=reply-input] textarea").First;
        await reply.FillAsync("Dear Ana, I checked with the depot.");

        await page.GotoAsync("/");
        await page.GotoAsync($"/cases/{c.Id}");
        await page.ClickAsync("[data-testid=tab-reply]");
        await Assertions.Expect(reply).ToHaveValueAsync("Dear Ana, I checked with the depot.");

        // The agent's words first, the template after them, its placeholder still in it (waiting for the page to redraw).
        await page.ClickAsync("[data-testid=template-ProgressUpdate]");
        await Assertions.Expect(reply).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"^Dear Ana, I checked with the depot\.[\s\S]*\[what has happened\]"));

        await page.ClickAsync("[data-testid=send-reply]");
        await Assertions.Expect(page.Locator("[data-testid=reply-input]")).ToContainTextAsync("Fill in [what has happened]");
        var stored = await App.Agent.GetJsonAsync<Amends.Web.Features.Cases.CaseDetail>($"/api/cases/{c.Id}");
        Assert.DoesNotContain(stored.Timeline, e => e.Kind == Amends.Domain.Cases.TimelineEntryKind.MessageOut);
    }
}

[Collection(BrowserCollection.Name)]
public sealed class TwoFactorJourneyTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task An_agent_sets_up_two_factor_sign_in_and_then_signs_in_with_a_code()
    {
        var user = await App.CreateUserAsync(App.Admin, Amends.Domain.Teams.Role.Agent, "authenticator");
        var page = await browser.NewPageAsync();
        await new LoginPage(page).SignInAsync(user.Email!, BrowserApp.Password);
        await page.GotoAsync("/me");

        await page.ClickAsync("[data-testid=two-factor-begin]");
        var key = await page.Locator("[data-testid=shared-key]").InnerTextAsync();
        await page.FillAsync("[data-testid=two-factor-code]", Totp.Code(key));
        await page.ClickAsync("[data-testid=two-factor-confirm]");
        await Assertions.Expect(page.Locator("[data-testid=recovery-codes] li")).ToHaveCountAsync(10);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "two-factor-codes.png") });

        var next = await browser.NewPageAsync();
        await next.GotoAsync("/login");
        await next.FillAsync("#email", user.Email!);
        await next.FillAsync("#password", BrowserApp.Password);
        await next.ClickAsync("button[type=submit]");
        await Assertions.Expect(next.GetByRole(AriaRole.Heading, new() { Name = "One more step" })).ToBeVisibleAsync();
        await next.FillAsync("#code", Totp.Code(key));
        await next.ClickAsync("button[type=submit]");
        await new InboxPage(next).WaitAsync();
    }
}
