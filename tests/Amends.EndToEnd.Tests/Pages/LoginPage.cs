using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests.Pages;

public sealed class LoginPage(IPage page)
{
    public async Task<InboxPage> SignInAsync(string email, string password)
    {
        await page.GotoAsync("/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        var inbox = new InboxPage(page);
        await inbox.WaitAsync();
        return inbox;
    }

    public async Task<string> FailedSignInErrorAsync(string email, string password)
    {
        await page.GotoAsync("/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        return await page.Locator("#login-error").InnerTextAsync();
    }
}
