using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests.Pages;

public sealed class InboxPage(IPage page)
{
    public ILocator Rows => page.Locator("[data-testid=case-row]");

    public ILocator UpdatesPill => page.Locator("[data-testid=updates-pill]");

    public Task WaitAsync() => page.Locator("[data-testid=view-mine]").WaitForAsync();

    public async Task ShowViewAsync(string view)
    {
        await page.ClickAsync($"[data-testid=view-{view}]");
        await Assertions.Expect(page.Locator($"[data-testid=view-{view}]")).ToHaveAttributeAsync("aria-pressed", "true");
    }

    public ILocator Row(string summary) => Rows.Filter(new LocatorFilterOptions { HasText = summary });

    public async Task<CasePage> OpenAsync(string summary)
    {
        await Row(summary).ClickAsync();
        var workspace = new CasePage(page);
        await workspace.WaitAsync();
        return workspace;
    }
}
