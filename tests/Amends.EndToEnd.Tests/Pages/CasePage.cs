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

    public ILocator EscalationBanner => page.Locator("[data-testid=escalation-banner]");

    public async Task AddNoteAsync(string text)
    {
        await page.ClickAsync("[data-testid=tab-note]");
        await page.Locator("[data-testid=note-input] textarea").First.FillAsync(text);
        await page.ClickAsync("[data-testid=add-note]");
        await Timeline.Filter(new LocatorFilterOptions { HasText = text }).First.WaitForAsync();
    }

    public async Task SendReplyAsync(string text)
    {
        await page.ClickAsync("[data-testid=tab-reply]");
        await page.Locator("[data-testid=reply-input] textarea").First.FillAsync(text);
        await page.ClickAsync("[data-testid=send-reply]");
        await Timeline.Filter(new LocatorFilterOptions { HasText = text }).First.WaitForAsync();
    }

    public async Task StepInAsync()
    {
        await page.ClickAsync("[data-testid=step-in]");
        await Timeline.Filter(new LocatorFilterOptions { HasText = "stepped in" }).First.WaitForAsync();
    }

    public async Task AcknowledgeAsync()
    {
        await page.ClickAsync("[data-testid=action-acknowledge]");
        await page.Locator("[data-testid=action-start]").WaitForAsync();
    }
}
