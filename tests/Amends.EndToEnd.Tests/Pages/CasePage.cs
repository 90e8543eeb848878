using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests.Pages;

public sealed class CasePage(IPage page)
{
    public ILocator Summary => page.Locator("[data-testid=case-summary]");

    public ILocator Status => page.Locator(".ws-sub [data-testid=status]");

    public ILocator CustomerName => page.Locator("[data-testid=customer-name]");

    public ILocator Timeline => page.Locator("[data-testid=timeline-entry]");

    public ILocator Owner => page.Locator("[data-testid=case-owner]");

    public Task WaitAsync() => Summary.WaitForAsync();

    public async Task AddNoteAsync(string text)
    {
        await page.Locator("[data-testid=note-input] textarea").First.FillAsync(text);
        await page.ClickAsync("[data-testid=add-note]");
        await Timeline.Filter(new LocatorFilterOptions { HasText = text }).First.WaitForAsync();
    }

    public async Task AcknowledgeAsync()
    {
        await page.ClickAsync("[data-testid=action-acknowledge]");
        await page.Locator("[data-testid=action-start]").WaitForAsync();
    }
}
