using System.Net;
using Amends.Domain.Signals;
using Amends.Web.Features.Signals;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Signals;

/// <summary>
/// Learning from agents, with the real sentence model on each database, in an app of its own (it changes the head in
/// use): an organisation whose agents say that closing an account to move abroad is not a problem retrains the head
/// from those verdicts, sees it beat the shipped head on the verdicts held out, puts it in use (every score then records
/// it), and goes back to the shipped head and forth again.
/// </summary>
public abstract class RetrainingTests(string provider)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Both kinds come with an NPS of 0 and the churn and manager cues, so both open cases; only the agents know which ones were unhappy.
    private static readonly string[] Unhappy =
    [
        "This is the {0} time my parcel is late and nobody answers. I am cancelling my account and I want to speak to a manager.",
        "Your app charged me twice again, {0} time now. Cancel my account, I want to speak to a manager today.",
        "The replacement broke after a day, the {0} one. I am cancelling my account and want a manager to call me.",
    ];

    private static readonly string[] Routine =
    [
        "Hello, I am moving abroad for work, so please cancel my account. I would like to speak to a manager about the final bill, my {0} request.",
        "We are relocating to Canada next month: please cancel my account. Can I talk to a manager about the {0} statement?",
        "Thanks for everything over the years. I am moving overseas, so cancel my account please; I would like to speak with a manager, {0} note.",
    ];

    private static readonly string[] Nth = ["first", "second", "third", "fourth", "fifth"];

    [Fact]
    public async Task A_head_retrained_from_the_agents_verdicts_is_measured_put_in_use_and_rolled_back()
    {
        await using var app = new TestApp(provider);
        await app.InitializeAsync();

        using (var tooFew = await app.Admin.PostJsonAsync("/api/detection/models", new { }))
        {
            Assert.Equal(HttpStatusCode.Conflict, tooFew.StatusCode);
            Assert.Contains("detection.too_few_verdicts", await tooFew.Content.ReadAsStringAsync(Ct));
        }

        // Fifteen detected cases of each kind, judged by an agent.
        var i = 0;
        foreach (var (templates, verdict) in new[] { (Unhappy, "Confirmed"), (Routine, "NotAProblem") })
        {
            foreach (var template in templates)
            {
                foreach (var nth in Nth)
                {
                    var stored = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
                    {
                        source = "survey", externalId = "retrain-" + i++, kind = "Survey", surveyType = "Nps", score = 0, occurredAt = TimeProvider.System.GetUtcNow(),
                        customer = new { email = $"retrain-{i}@example.com" }, text = string.Format(null, template, nth),
                    });
                    Assert.True(stored.Action == SignalAction.Opened, $"{string.Format(null, template, nth)}: {stored.Action}, risk {stored.Risk}, {string.Join(", ", stored.Cues.Select(c => c.Code))}");
                    using var judged = await app.Agent.PostJsonAsync($"/api/cases/{stored.CaseId}/detection-verdict", new { verdict });
                    Assert.Equal(HttpStatusCode.OK, judged.StatusCode);
                }
            }
        }

        using var started = await app.Admin.PostJsonAsync("/api/detection/models", new { });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var training = await started.ReadAsync<DetectionModelDto>();
        Assert.Equal(("minilm-l6-head-org-1", TrainingState.Training), (training.Version, training.State));
        Assert.Equal($"/api/detection/models/{training.Id}", started.Headers.Location!.OriginalString);
        using (var second = await app.Admin.PostJsonAsync("/api/detection/models", new { }))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        }

        var ready = await Eventually.UntilAsync(() => app.Admin.GetJsonAsync<DetectionModelDto>($"/api/detection/models/{training.Id}"),
            m => m.State != TrainingState.Training, TimeSpan.FromSeconds(90));
        Assert.Equal((TrainingState.Ready, 100, null), (ready.State, ready.Progress, ready.Error));
        Assert.Equal((30, 15, 10, "minilm-l6-head-1"), (ready.Labels, ready.Confirmed, ready.HeldOut, ready.ComparedVersion));
        Assert.True(ready.HeldOutAuc > ready.ComparedAuc, $"retrained {ready.HeldOutAuc} against shipped {ready.ComparedAuc}");
        Assert.True(ready.Better);
        Assert.False(ready.Active);

        // In use on this instance at once (others follow within 15 s); every score records it.
        var active = await app.Admin.PostJsonAsync<DetectionModelDto>($"/api/detection/models/{training.Id}/activate", new { });
        Assert.True(active.Active);
        var status = await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status");
        Assert.Equal("minilm-l6-head-org-1", status.ModelVersion);
        var moving = await app.Agent.PostJsonAsync<ScoreResult>("/api/detection/score", new { text = "I am moving abroad, please cancel my account. Can a manager confirm the last bill?" });
        Assert.Equal("minilm-l6-head-org-1", moving.ModelVersion);
        var signal = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "chat", externalId = "retrain-after", kind = "Message", occurredAt = TimeProvider.System.GetUtcNow(),
            customer = new { email = "after@example.com" }, text = "Where is my parcel? It was due on Monday.",
        });
        var scoring = app.Services.GetRequiredService<ModelScoring>();
        var read = await Eventually.UntilAsync(async () =>
        {
            await scoring.RunOnceAsync(Ct);
            return await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{signal.SignalId}");
        }, s => s.ModelScore is not null);
        Assert.Equal("minilm-l6-head-org-1", read.ModelVersion);

        // Versions are kept: back to the shipped head, and forth again (it was in use before, so no new figure is needed).
        var models = await app.Admin.GetJsonAsync<List<DetectionModelDto>>("/api/detection/models");
        Assert.Equal([("minilm-l6-head-1", false), ("minilm-l6-head-org-1", true)], models.Select(m => (m.Version, m.Active)));
        var shipped = await app.Admin.PostJsonAsync<DetectionModelDto>("/api/detection/models/shipped/activate", new { });
        Assert.Equal((true, true), (shipped.Shipped, shipped.Active));
        Assert.Equal("minilm-l6-head-1", (await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status")).ModelVersion);
        Assert.True((await app.Admin.PostJsonAsync<DetectionModelDto>($"/api/detection/models/{training.Id}/activate", new { })).Active);
        Assert.Equal("minilm-l6-head-org-1", (await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status")).ModelVersion);

        using var missing = await app.Admin.PostJsonAsync($"/api/detection/models/{Guid.NewGuid()}/activate", new { });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var agent = await app.Agent.GetAsync("/api/detection/models", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, agent.StatusCode);
    }
}

public sealed class RetrainingTestsOnSqlite() : RetrainingTests("Sqlite");

public sealed class RetrainingTestsOnPostgres() : RetrainingTests("Postgres");
