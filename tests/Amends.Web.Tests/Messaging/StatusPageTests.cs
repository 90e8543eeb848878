using System.Net;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Remedies;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Messaging;
using Amends.Web.Features.Remedies;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Messaging;

/// <summary>The customer's status page, reached by the signed link every message carries: no account, no JavaScript.</summary>
public abstract class StatusPageTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_link_in_a_reply_opens_the_page_with_what_the_customer_may_see_and_nothing_else()
    {
        var customer = await app.Agent.CustomerAsync("Anna Lindqvist");
        var c = await app.Agent.CaseAsync(customerId: customer.Id, ownerId: app.AgentUser.Id, summary: "Furious, threatens a chargeback");
        await app.Agent.ActAsync(c.Id, "notes", new { body = "INTERNAL: courier blamed, do not tell her" });
        var sent = await app.Agent.PostJsonAsync<ReplyResult>($"/api/cases/{c.Id}/replies", new { body = "Your replacement leaves today." });
        await app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises", new { text = "Replacement delivered", dueAt = TimeProvider.System.GetUtcNow().AddDays(2) });

        var message = await app.Supervisor.GetJsonAsync<OutboxMessage>($"/api/outbox/{sent.Message!.Id}");
        var url = System.Text.RegularExpressions.Regex.Match(message.TextBody, @"http\S+/status/\S+").Value;
        Assert.StartsWith(app.BaseAddress.ToString().TrimEnd('/') + "/status/", url);
        var link = await app.Agent.GetJsonAsync<StatusLink>($"/api/cases/{c.Id}/status-link");
        Assert.InRange(link.ExpiresAt, TimeProvider.System.GetUtcNow().UtcDateTime.AddDays(59), TimeProvider.System.GetUtcNow().UtcDateTime.AddDays(61));

        var page = await app.Anonymous.GetStringAsync(url, Ct);

        Assert.Contains(c.Number, page);
        Assert.Contains("Hi Anna,", page);
        Assert.Contains($"{app.AgentUser.DisplayName.Split(' ')[0]} is looking after your case", page);
        Assert.Contains("Your replacement leaves today.", page);
        Assert.Contains("Replacement delivered, by", page);
        Assert.DoesNotContain("INTERNAL", page);
        Assert.DoesNotContain("chargeback", page);
        Assert.DoesNotContain(app.AgentUser.Email!, page);
        Assert.DoesNotContain("<script", page); // plain HTML: it works on any phone, scripts or not
    }

    [Fact]
    public async Task A_changed_or_foreign_token_shows_a_page_that_reveals_nothing()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var link = await app.Agent.GetJsonAsync<StatusLink>($"/api/cases/{c.Id}/status-link");
        var token = link.Url[(link.Url.LastIndexOf('/') + 1)..];
        var feedback = await app.Agent.GetJsonAsync<Amends.Web.Features.FollowUp.FeedbackLinks>($"/api/cases/{(await Resolved()).Id}/follow-up/links");
        var feedbackToken = feedback.Links[5].Split('/')[^1].Split('?')[0];

        foreach (var bad in new[] { token[..^3] + (token[^3] == 'A' ? "BBB" : "AAA"), feedbackToken, "nonsense" })
        {
            using var response = await app.Anonymous.GetAsync($"/status/{bad}", Ct);
            var page = await response.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("This link does not work any more", page);
            Assert.DoesNotContain(c.Number, page);
            Assert.DoesNotContain(c.Customer.Name, page);
        }
    }

    [Fact]
    public async Task Opening_the_page_changes_nothing_and_the_customer_s_reply_lands_on_the_timeline_and_ends_the_wait()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        c = await app.Agent.ActAsync(c.Id, "acknowledge");
        c = await app.Agent.ActAsync(c.Id, "start");
        c = await app.Agent.ActAsync(c.Id, "wait", new { reason = "Asked for a photo" });
        var path = new Uri((await app.Agent.GetJsonAsync<StatusLink>($"/api/cases/{c.Id}/status-link")).Url).PathAndQuery;
        using var browser = FormPosts.Browser(app);

        await browser.GetStringAsync(path, Ct);
        Assert.Equal(c.Version, (await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}")).Version);

        using var noToken = await browser.PostAsync(path + "/reply", new FormUrlEncodedContent(new Dictionary<string, string> { ["text"] = "forged" }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);

        using var posted = await FormPosts.PostAsync(browser, path, path + "/reply", new() { ["text"] = "Here is the photo you asked for" });

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.EndsWith("?sent=1", posted.Headers.Location!.ToString());
        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        var entry = Assert.Single(after.Timeline, e => e.Kind == TimelineEntryKind.MessageIn);
        Assert.Equal("Here is the photo you asked for", entry.Body);
        Assert.Equal(Channel.Web, entry.Channel);
        Assert.Null(entry.ActorId);
        Assert.Equal(CaseStatus.Resolving, after.Status);
        Assert.Contains("Here is the photo you asked for", await browser.GetStringAsync(path, Ct));
    }

    [Fact]
    public async Task The_customer_chooses_a_remedy_in_two_steps_through_the_same_rules_as_staff()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var offer = await app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{c.Id}/offers", new
        {
            options = new object[] { new { type = "Discount", amountMinor = 1000L, description = "10 off your next order" }, new { type = "Gesture", amountMinor = 500L, description = "A free coffee" } },
            reason = "status page",
        });
        var path = new Uri((await app.Agent.GetJsonAsync<StatusLink>($"/api/cases/{c.Id}/status-link")).Url).PathAndQuery;
        using var browser = FormPosts.Browser(app);
        var coffee = offer.Options.Single(o => o.Description == "A free coffee");
        Assert.Contains("A free coffee", await browser.GetStringAsync(path, Ct));

        using var first = await FormPosts.PostAsync(browser, path, path + "/choose", new() { ["offerId"] = offer.Id.ToString(), ["optionId"] = coffee.Id.ToString() });
        var confirmPage = first.Headers.Location!.ToString();
        Assert.Equal(OfferStatus.Offered, (await app.Agent.GetJsonAsync<List<OfferDto>>($"/api/cases/{c.Id}/offers")).Single().Status);
        Assert.Contains("Confirm your choice", await browser.GetStringAsync(confirmPage, Ct));

        using var confirmed = await FormPosts.PostAsync(browser, confirmPage, path + "/choose/confirm", new() { ["offerId"] = offer.Id.ToString(), ["optionId"] = coffee.Id.ToString() });

        Assert.EndsWith("?chosen=1", confirmed.Headers.Location!.ToString());
        var chosen = (await app.Agent.GetJsonAsync<List<OfferDto>>($"/api/cases/{c.Id}/offers")).Single();
        Assert.Equal(OfferStatus.Chosen, chosen.Status);
        Assert.Equal(coffee.Id, chosen.ChosenOptionId);
        var timeline = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.Contains(timeline.Timeline, e => e.Kind == TimelineEntryKind.Remedy && e.Body!.StartsWith("The customer chose: A free coffee", StringComparison.Ordinal) && e.ActorId is null);

        // Chosen once: a second confirmation (a replayed form) changes nothing and says so.
        using var again = await FormPosts.PostAsync(browser, path, path + "/choose/confirm", new() { ["offerId"] = offer.Id.ToString(), ["optionId"] = offer.Options[0].Id.ToString() });
        Assert.EndsWith("?error=choice", again.Headers.Location!.ToString());
        Assert.Equal(coffee.Id, (await app.Agent.GetJsonAsync<List<OfferDto>>($"/api/cases/{c.Id}/offers")).Single().ChosenOptionId);
    }

    [Fact]
    public async Task A_status_link_cannot_choose_an_offer_of_another_case()
    {
        var mine = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var other = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        var offer = await app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{other.Id}/offers", new { options = new[] { new { type = "Gesture", amountMinor = 100L } }, reason = "other" });
        var path = new Uri((await app.Agent.GetJsonAsync<StatusLink>($"/api/cases/{mine.Id}/status-link")).Url).PathAndQuery;
        using var browser = FormPosts.Browser(app);

        using var response = await FormPosts.PostAsync(browser, path, path + "/choose/confirm", new() { ["offerId"] = offer.Id.ToString(), ["optionId"] = offer.Options[0].Id.ToString() });

        Assert.EndsWith("?error=choice", response.Headers.Location!.ToString());
        Assert.Equal(OfferStatus.Offered, (await app.Agent.GetJsonAsync<List<OfferDto>>($"/api/cases/{other.Id}/offers")).Single().Status);
    }

    [Fact]
    public async Task An_automatic_update_that_took_in_later_changes_shows_all_of_them_on_the_page()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        await app.Agent.ActAsync(c.Id, "acknowledge");
        await app.Agent.PostJsonAsync<PromiseDto>($"/api/cases/{c.Id}/promises", new { text = "A courier collects the parcel", dueAt = TimeProvider.System.GetUtcNow().AddDays(1) });

        // The two changes went as one update (the window is a second here): the page shows that update as it went.
        var updates = await Eventually.UntilAsync(
            async () => (await app.Supervisor.GetJsonAsync<Paged<OutboxItem>>($"/api/outbox?caseId={c.Id}")).Items,
            items => items.Any(i => i.Automatic && i.State is Amends.Domain.Messaging.OutboxState.Sent or Amends.Domain.Messaging.OutboxState.Delivered));
        Assert.Single(updates, i => i.Automatic);
        var link = await app.Agent.GetJsonAsync<StatusLink>($"/api/cases/{c.Id}/status-link");
        var page = await app.Anonymous.GetStringAsync(new Uri(link.Url).PathAndQuery, Ct);
        Assert.Contains("Our next step: A courier collects the parcel", page, StringComparison.Ordinal);
    }

    private async Task<CaseDetail> Resolved()
    {
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        await app.Agent.ActAsync(c.Id, "acknowledge");
        await app.Agent.ActAsync(c.Id, "start");
        return await app.Agent.ActAsync(c.Id, "resolve", new { resolution = "Sorted", apologyOnly = true });
    }
}

[Collection(SqliteCollection.Name)]
public sealed class StatusPageTestsOnSqlite(SqliteApp app) : StatusPageTests(app);

[Collection(PostgresCollection.Name)]
public sealed class StatusPageTestsOnPostgres(PostgresApp app) : StatusPageTests(app);

/// <summary>The customer pages are rate-limited per address: a flood of requests gets 429, not the database.</summary>
public sealed class StatusPageRateLimitTests
{
    [Fact]
    public async Task Beyond_the_limit_a_client_gets_429()
    {
        await using var app = new TestApp("Sqlite", settings: new() { ["Amends:Status:PerAddressPerMinute"] = "5" });
        await app.InitializeAsync();

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await app.Anonymous.GetAsync("/status/whatever", TestContext.Current.CancellationToken);
            codes.Add(response.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)), codes);
        using var staff = await app.Agent.GetAsync("/api/cases?pageSize=1", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, staff.StatusCode);
    }
}
