using System.Text.RegularExpressions;
using Amends.EndToEnd.Tests.Pages;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Amends.EndToEnd.Tests;

[Collection(BrowserCollection.Name)]
public sealed partial class CaseJourneyTests(BrowserApp browser)
{
    private TestApp App => browser.App;

    [Fact]
    public async Task An_agent_signs_in_opens_a_case_adds_a_note_and_acknowledges_it()
    {
        var summary = "Fridge arrived dented " + Guid.NewGuid().ToString("N")[..6];
        var customer = await App.Agent.CustomerAsync("Olivia Newman");
        await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>("/api/cases", new
        {
            customerId = customer.Id, category = "DefectiveProduct", summary, channel = "Email", ownerId = App.AgentUser.Id,
        });
        var page = await browser.NewPageAsync();

        var inbox = await new LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await Assertions.Expect(inbox.Row(summary)).ToBeVisibleAsync();
        var workspace = await inbox.OpenAsync(summary);
        await Assertions.Expect(workspace.Summary).ToHaveTextAsync(summary);
        await Assertions.Expect(workspace.CustomerName).ToHaveTextAsync("Olivia Newman");

        await workspace.AddNoteAsync("Called the customer, photos on the way");
        await workspace.AcknowledgeAsync();

        await Assertions.Expect(workspace.Status).ToHaveTextAsync("Acknowledged");
        // Newest first: the automatic update that tells the customer who looks after them, then the acknowledgement.
        await Assertions.Expect(workspace.Timeline.First).ToContainTextAsync("Automatic update · Email");
        await Assertions.Expect(workspace.Timeline.Filter(new() { HasText = "New → Acknowledged" })).ToHaveCountAsync(1);
        await Assertions.Expect(workspace.Timeline.Filter(new LocatorFilterOptions { HasText = "Called the customer, photos on the way" }))
            .ToContainTextAsync("Internal note");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("case-workspace") });
    }

    [Fact]
    public async Task Markup_in_a_customer_name_is_shown_as_text_and_never_runs()
    {
        const string name = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">Eve";
        var customer = await App.Agent.CustomerAsync(name);
        var summary = "Billing mix-up " + Guid.NewGuid().ToString("N")[..6];
        await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>("/api/cases", new
        {
            customerId = customer.Id, category = "BillingError", summary = summary + " <b>bold?</b>", channel = "Chat", ownerId = App.AgentUser.Id,
        });
        var page = await browser.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        var inbox = await new LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await Assertions.Expect(inbox.Row(summary)).ToContainTextAsync(name);
        var workspace = await inbox.OpenAsync(summary);

        await Assertions.Expect(workspace.CustomerName).ToHaveTextAsync(name);
        await Assertions.Expect(workspace.Summary).ToHaveTextAsync(summary + " <b>bold?</b>");
        Assert.Equal(0, await page.Locator("[data-testid=customer-card] img").CountAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.__pwned ?? 0"));
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task The_inbox_announces_a_new_case_without_reordering_and_shows_it_on_request()
    {
        var page = await browser.NewPageAsync();
        var inbox = await new LoginPage(page).SignInAsync(App.SupervisorUser.Email!, BrowserApp.Password);
        await inbox.ShowViewAsync("unassigned");
        var summary = "Live arrival " + Guid.NewGuid().ToString("N")[..6];

        await App.Agent.CaseAsync(summary: summary);

        await Assertions.Expect(inbox.UpdatesPill).ToContainTextAsync(NewCount());
        await Assertions.Expect(inbox.Row(summary)).ToHaveCountAsync(0);
        await inbox.UpdatesPill.ClickAsync();
        await Assertions.Expect(inbox.Row(summary)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_escalated_case_appears_in_the_supervisor_queue_and_stepping_in_shows_on_the_timeline()
    {
        var summary = "Wants a manager " + Guid.NewGuid().ToString("N")[..6];
        var c = await App.Agent.CaseAsync(summary: summary);
        await App.Agent.ActAsync(c.Id, "acknowledge");
        await App.Agent.ActAsync(c.Id, "escalations", new { reason = "CustomerAskedForManager", note = "Asked twice on the phone" });
        var page = await browser.NewPageAsync();
        await new LoginPage(page).SignInAsync(App.SupervisorUser.Email!, BrowserApp.Password);

        await page.GotoAsync("/escalations");
        var row = page.Locator("[data-testid=escalation-row]").Filter(new LocatorFilterOptions { HasText = summary });
        await Assertions.Expect(row).ToContainTextAsync("Customer asked for a manager");
        await row.ClickAsync();
        var workspace = new CasePage(page);
        await workspace.WaitAsync();
        await Assertions.Expect(workspace.EscalationBanner).ToContainTextAsync("Waiting for a supervisor");

        await workspace.StepInAsync();

        await Assertions.Expect(workspace.EscalationBanner).ToContainTextAsync("A supervisor has stepped in");
        await Assertions.Expect(workspace.Timeline.First).ToContainTextAsync($"{App.SupervisorUser.DisplayName} stepped in");
        await Assertions.Expect(workspace.Owner).ToHaveTextAsync(App.AgentUser.DisplayName);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("escalation-stepped-in") });
    }

    [Fact]
    public async Task An_agent_replies_from_a_playbook_message_and_the_reply_is_on_the_timeline()
    {
        var customer = await App.Agent.CustomerAsync("Noor Haddad");
        var summary = "Charged twice " + Guid.NewGuid().ToString("N")[..6];
        await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>("/api/cases", new
        {
            customerId = customer.Id, category = "BillingError", summary, channel = "Email", ownerId = App.AgentUser.Id,
        });
        var page = await browser.NewPageAsync();
        var workspace = await (await new LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password)).OpenAsync(summary);

        await page.GetByRole(AriaRole.Group, new() { Name = "Playbook messages" }).GetByRole(AriaRole.Button, new() { Name = "Apology & first reply" }).ClickAsync();
        var reply = page.Locator("[data-testid=reply-input] textarea").First;
        await Assertions.Expect(reply).ToHaveValueAsync(new Regex("^Hi Noor, I'm sorry you were charged incorrectly"));
        await page.ClickAsync("[data-testid=send-reply]");

        // Through the outbox: queued, then handed to the (test) SMTP server, shown live.
        await Assertions.Expect(workspace.Timeline.First).ToContainTextAsync("Reply · Email");
        await Assertions.Expect(workspace.Timeline.First).ToContainTextAsync("Hi Noor");
        await Assertions.Expect(workspace.Timeline.First.Locator("[data-testid=delivery]")).ToContainTextAsync("Sent to ");
    }

    [Fact]
    public async Task An_admin_sets_a_team_s_business_hours_and_a_bad_line_is_explained_beside_the_form()
    {
        var team = await App.Admin.PostJsonAsync<Amends.Web.Features.Admin.TeamDto>("/api/teams", new { name = "Night shift " + Guid.NewGuid().ToString("N")[..6] });
        var admin = await App.CreateUserAsync(App.Admin, Amends.Domain.Teams.Role.Admin, "hoursadmin");
        var page = await browser.NewPageAsync();
        await new LoginPage(page).SignInAsync(admin.Email!, BrowserApp.Password);
        await page.GotoAsync("/admin/teams");
        var row = page.Locator("tr").Filter(new LocatorFilterOptions { HasText = team.Name });
        await row.Locator("[data-testid=edit-hours]").ClickAsync();
        var form = page.Locator("[data-testid=hours-form]");
        await form.GetByLabel("Time zone (IANA, e.g. Europe/London)").FillAsync("Asia/Tokyo");

        await form.Locator("#hours-Monday").FillAsync("22:00 to 06:00");
        await form.Locator("#hours-Monday").BlurAsync();
        await page.ClickAsync("[data-testid=save-hours]");
        await Assertions.Expect(form.GetByRole(AriaRole.Alert)).ToContainTextAsync("Monday: write periods as 09:00-17:00");

        await form.Locator("#hours-Monday").FillAsync("00:00-06:00, 22:00-24:00");
        await form.Locator("#hours-Monday").BlurAsync();
        await page.ClickAsync("[data-testid=save-hours]");

        await Assertions.Expect(row).ToContainTextAsync("Asia/Tokyo, 1 day a week");
        var saved = (await App.Admin.GetJsonAsync<List<Amends.Web.Features.Admin.TeamDto>>("/api/teams")).Single(t => t.Id == team.Id);
        Assert.Equal(2, saved.Hours!.Periods.Count);
    }

    [Fact]
    public async Task The_keyboard_moves_through_the_inbox_and_opens_a_case_and_shortcuts_can_be_switched_off()
    {
        foreach (var i in Enumerable.Range(0, 2))
        {
            await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>("/api/cases", new
            {
                customerId = (await App.Agent.CustomerAsync()).Id, category = "Other", summary = $"Keyboard {i} " + Guid.NewGuid().ToString("N")[..6], channel = "Email", ownerId = App.AgentUser.Id,
            });
        }

        var page = await browser.NewPageAsync();
        var inbox = await new LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await Assertions.Expect(inbox.Rows.Nth(1)).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await Assertions.Expect(inbox.Rows.Nth(1)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("k");
        await Assertions.Expect(inbox.Rows.Nth(0)).ToBeFocusedAsync();
        var summary = await inbox.Rows.Nth(0).Locator(".row-summary").InnerTextAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(new CasePage(page).Summary).ToHaveTextAsync(summary);

        await page.GoBackAsync();
        await Assertions.Expect(inbox.Rows.First).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("?");
        await page.Locator("#amends-shortcuts-off").CheckAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("j");
        await Assertions.Expect(inbox.Rows.First).Not.ToBeFocusedAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message_beside_the_form()
    {
        var page = await browser.NewPageAsync();

        var error = await new LoginPage(page).FailedSignInErrorAsync(App.AgentUser.Email!, "not-the-password");

        Assert.Contains("do not match", error, StringComparison.Ordinal);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login"));
    }

    [Fact]
    public async Task An_agent_cannot_open_the_admin_pages()
    {
        var page = await browser.NewPageAsync();
        await new LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);

        await page.GotoAsync("/admin/users");

        await Assertions.Expect(page.Locator("[data-testid=user-list]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Not allowed")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Pages_fit_a_phone_screen()
    {
        // Long unbroken words (a pasted URL, markup in a name) are what push a phone layout sideways.
        var customer = await App.Agent.CustomerAsync("Unbroken" + new string('x', 60) + "@example.com");
        var created = await App.Agent.PostJsonAsync<Amends.Web.Features.Cases.CaseDetail>("/api/cases", new
        {
            customerId = customer.Id, category = "Other", channel = "Email", ownerId = App.AgentUser.Id,
            summary = "On a phone https://shop.example.com/orders/" + new string('9', 50) + Guid.NewGuid().ToString("N")[..6],
        });
        await App.Agent.ActAsync(created.Id, "acknowledge");
        var page = await browser.NewPageAsync(390, 844);
        var inbox = await new LoginPage(page).SignInAsync(App.AgentUser.Email!, BrowserApp.Password);
        await Assertions.Expect(inbox.Row(created.Summary)).ToBeVisibleAsync();

        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("inbox-phone") });

        Assert.False(overflow, "The inbox scrolls sideways on a phone.");
        await Assertions.Expect(inbox.Row(created.Summary).Locator("[data-testid=sla-badge]")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("inbox-phone") });

        // The case itself: every action within reach, nothing cut off at the right.
        await page.GotoAsync($"/cases/{created.Id}");
        await new CasePage(page).WaitAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("case-phone"), FullPage = true });
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 391, $"The case page is {width} px wide on a 390 px phone.");
        foreach (var action in new[] { "[data-testid=action-start]", "[data-testid=tab-reply]" })
        {
            var box = await page.Locator(action).BoundingBoxAsync();
            Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= 390, $"{action} is cut off: {box?.X} + {box?.Width}");
        }
    }

    [GeneratedRegex(@"\d+ new")]
    private static partial Regex NewCount();

    private static string Screenshot(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name + ".png");
    }
}
