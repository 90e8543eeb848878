using System.Net;
using System.Text.RegularExpressions;
using Amends.Domain.Cases;
using Amends.Web.Features.Cases;
using Amends.Web.Features.FollowUp;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Cases;

/// <summary>
/// The customer's satisfaction answer through a link: opening the link (as a mail scanner would) records nothing;
/// only the confirm form does. Tokens are signed and name one case.
/// </summary>
public abstract partial class FeedbackLinkTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Opening_the_link_records_nothing_and_the_confirmed_answer_closes_the_case_as_Recovered()
    {
        var caseId = await ResolvedCaseAsync();
        var links = await app.Agent.GetJsonAsync<FeedbackLinks>($"/api/cases/{caseId}/follow-up/links");
        Assert.Equal(5, links.Links.Count);
        var customer = app.NewClient(null);

        // A link scanner, then the customer, open the link.
        var page = await GetPageAsync(customer, links.Links[5]);
        await GetPageAsync(app.NewClient(null), links.Links[5]);

        Assert.Contains("How did we do?", page, StringComparison.Ordinal);
        var waiting = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{caseId}");
        Assert.Equal(CaseStatus.Resolved, waiting.Status);

        using var answer = await PostAnswerAsync(customer, links.Links[5], page, "5", "Quick and kind, thank you");

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.EndsWith("?done=1", answer.Headers.Location!.ToString(), StringComparison.Ordinal);
        var closed = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{caseId}");
        Assert.Equal(CaseStatus.Closed, closed.Status);
        Assert.Equal(CaseOutcome.Recovered, closed.Outcome);
        Assert.Contains(closed.Timeline, e => e.Body?.Contains("Quick and kind", StringComparison.Ordinal) == true);
        Assert.Contains("already have your answer", await GetPageAsync(app.NewClient(null), links.Links[1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_low_score_through_the_link_reopens_the_case()
    {
        var caseId = await ResolvedCaseAsync();
        var links = await app.Agent.GetJsonAsync<FeedbackLinks>($"/api/cases/{caseId}/follow-up/links");
        var customer = app.NewClient(null);
        var page = await GetPageAsync(customer, links.Links[2]);
        Assert.Matches(ScoreTwoChecked(), page);

        using var answer = await PostAnswerAsync(customer, links.Links[2], page, "2", null);

        Assert.Equal(CaseStatus.Resolving, (await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{caseId}")).Status);
    }

    [Fact]
    public async Task An_altered_token_or_a_missing_score_records_nothing()
    {
        var caseId = await ResolvedCaseAsync();
        var links = await app.Agent.GetJsonAsync<FeedbackLinks>($"/api/cases/{caseId}/follow-up/links");
        var customer = app.NewClient(null);
        var page = await GetPageAsync(customer, links.Links[4]);
        var altered = links.Links[4].Replace("/feedback/", "/feedback/x", StringComparison.Ordinal);

        Assert.Contains("does not work any more", await GetPageAsync(app.NewClient(null), altered), StringComparison.Ordinal);
        using (var forged = await PostAnswerAsync(customer, altered, page, "5", null))
        {
            Assert.Equal(HttpStatusCode.Redirect, forged.StatusCode);
        }

        using (var noScore = await PostAnswerAsync(customer, links.Links[4], page, null, "no score"))
        {
            Assert.EndsWith("?error=score", noScore.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(CaseStatus.Resolved, (await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{caseId}")).Status);
    }

    [Fact]
    public async Task The_answer_form_needs_its_antiforgery_token()
    {
        var caseId = await ResolvedCaseAsync();
        var links = await app.Agent.GetJsonAsync<FeedbackLinks>($"/api/cases/{caseId}/follow-up/links");
        var path = new Uri(links.Links[5]).AbsolutePath;

        using var response = await app.NewClient(null).PostAsync(path + "/answer", new FormUrlEncodedContent(new Dictionary<string, string> { ["score"] = "5" }), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(CaseStatus.Resolved, (await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{caseId}")).Status);
    }

    private async Task<Guid> ResolvedCaseAsync()
    {
        var c = await app.Agent.CaseAsync();
        await app.Agent.ActAsync(c.Id, "acknowledge");
        await app.Agent.ActAsync(c.Id, "start");
        await app.Agent.ActAsync(c.Id, "resolve", new { resolution = "Apologised", apologyOnly = true });
        return c.Id;
    }

    private static async Task<string> GetPageAsync(HttpClient client, string link)
    {
        var uri = new Uri(link);
        using var response = await client.GetAsync(uri.PathAndQuery, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static Task<HttpResponseMessage> PostAnswerAsync(HttpClient client, string link, string page, string? score, string? comment)
    {
        var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = AntiforgeryToken().Match(page).Groups[1].Value };
        if (score is not null)
        {
            form["score"] = score;
        }

        if (comment is not null)
        {
            form["comment"] = comment;
        }

        return client.PostAsync(new Uri(link).AbsolutePath + "/answer", new FormUrlEncodedContent(form), Ct);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("value=\"2\" checked")]
    private static partial Regex ScoreTwoChecked();
}

[Collection(SqliteCollection.Name)]
public sealed class FeedbackLinkTestsOnSqlite(SqliteApp app) : FeedbackLinkTests(app);

[Collection(PostgresCollection.Name)]
public sealed class FeedbackLinkTestsOnPostgres(PostgresApp app) : FeedbackLinkTests(app);
