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
