using System.Net;
using System.Text.Json;
using Amends.Domain.Cases;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Signals;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Signals;

/// <summary>
/// The full path: the sentence model reads each stored text in the background, the risk is taken again from its score,
/// and a signal the fast score let pass gets its case then. With the real model, on both databases.
/// </summary>
public abstract class ModelScoringTests(TestApp app)
{
    /// <summary>No cue but "third time" (20); the fast model reads it as neutral (risk 25), the sentence model as plainly unhappy.</summary>
    private const string Unhappy = "This is the third time the app has logged me out in the middle of a payment.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    private static object Message(string externalId, string text) => new
    {
        source = "chat-widget", externalId, kind = "Message", occurredAt = TimeProvider.System.GetUtcNow(),
        customer = new { email = Unique("reader") + "@example.com" }, text,
    };

    /// <summary>Until the model has read it (the app's own worker may be first; claims keep them from reading it twice).</summary>
    private async Task<SignalDto> ReadByModelAsync(Guid id)
    {
        var scoring = app.Services.GetRequiredService<ModelScoring>();
        return await Eventually.UntilAsync(async () =>
        {
            await scoring.RunOnceAsync(Ct);
            return await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{id}");
        }, s => s.ModelScore is not null && s.Action != SignalAction.Pending);
    }

    [Fact]
    public async Task A_text_the_fast_model_lets_pass_gets_its_case_once_the_sentence_model_has_read_it()
    {
        var body = Message(Unique("m"), Unhappy);
        var stored = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", body);
        Assert.Equal((SignalAction.None, "fast-linear-1"), (stored.Action, stored.ModelVersion));
        Assert.True(stored.Risk < 60, $"fast risk {stored.Risk}");

        var read = await ReadByModelAsync(stored.SignalId);
        Assert.Equal(("minilm-l6-head-1", "fast-linear-1"), (read.ModelVersion, read.FastVersion));
        Assert.Equal(stored.Score, read.FastScore);
        Assert.True(read.ModelScore >= 0.9, $"model score {read.ModelScore}");
        Assert.True(read.Risk >= 60, $"risk {read.Risk}");
        Assert.Contains("reads as very unhappy", read.Reason);
        Assert.Equal(SignalAction.Opened, read.Action);

        // The case takes the category the model reads in the text (sure enough), says why, and a replay of the signal
        // answers with what the background did.
        Assert.Equal(FailureCategory.DigitalOutage, read.SuggestedCategory);
        Assert.True(read.CategoryConfidence >= 0.6, $"category confidence {read.CategoryConfidence}");
        var opened = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{read.CaseId}");
        Assert.Equal(FailureCategory.DigitalOutage, opened.Category);
        Assert.Contains(opened.Timeline, e => e.Kind == TimelineEntryKind.Signal && e.SignalId == stored.SignalId && e.Body!.Contains(Unhappy, StringComparison.Ordinal));
        var replay = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", body);
        Assert.Equal((true, SignalAction.Opened, read.CaseId, "minilm-l6-head-1"), (replay.Replayed, replay.Action, replay.CaseId, replay.ModelVersion));
    }

    [Fact]
    public async Task A_content_text_stays_without_a_case_and_a_signal_with_a_case_keeps_it()
    {
        var content = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), "Thanks, the replacement arrived today and works perfectly."));
        var angry = await app.Agent.PostJsonAsync<SignalResult>("/api/signals",
            Message(Unique("m"), "Still no refund after three weeks. I am cancelling my account and I want to speak to a manager."));
        Assert.Equal(SignalAction.Opened, angry.Action);

        var calm = await ReadByModelAsync(content.SignalId);
        Assert.True(calm.ModelScore < 0.5, $"model score {calm.ModelScore}");
        Assert.Equal((SignalAction.None, (Guid?)null), (calm.Action, calm.CaseId));
        var stillOpen = await ReadByModelAsync(angry.SignalId);
        Assert.Equal((SignalAction.Opened, angry.CaseId), (stillOpen.Action, stillOpen.CaseId));
    }

    [Fact]
    public async Task The_score_api_reads_with_the_sentence_model_and_a_long_text_whole()
    {
        var result = await app.Agent.PostJsonAsync<ScoreResult>("/api/detection/score", new { text = Unhappy });
        Assert.Equal(("minilm-l6-head-1", "Dissatisfied"), (result.ModelVersion, result.Label));
        var billing = await app.Agent.PostJsonAsync<ScoreResult>("/api/detection/score", new { text = "You charged me twice for the same order." });
        Assert.Equal(FailureCategory.BillingError, billing.Category);
        Assert.InRange(billing.CategoryConfidence!.Value, 0.6, 1);
        Assert.True(result.Score > result.FastScore, $"{result.Score} vs fast {result.FastScore}");

        // 1,200 words, far past the model's window of 256 word pieces: read in windows and pooled, not cut at the start.
        var calm = string.Join(' ', Enumerable.Repeat("The delivery came on time and the driver was friendly.", 100));
        var longText = calm + " " + string.Join(' ', Enumerable.Repeat("It broke the next day and nobody answers my calls, this is a disgrace.", 60));
        var whole = await app.Agent.PostJsonAsync<ScoreResult>("/api/detection/score", new { text = longText });
        var start = await app.Agent.PostJsonAsync<ScoreResult>("/api/detection/score", new { text = calm });
        Assert.True(whole.Score > start.Score + 0.2, $"whole {whole.Score} vs its calm start {start.Score}");
    }

    [Fact]
    public async Task The_backlog_shows_on_the_status_api_for_admins_only()
    {
        using var forbidden = await app.Agent.GetAsync("/api/detection/status", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var status = await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status");
        Assert.Equal((DetectionModel.Sentence, "minilm-l6-head-1", "fast-linear-1", 10_000), (status.Model, status.ModelVersion, status.FastModelVersion, status.MaxBacklog));
        Assert.True(status.Backlog >= 0);
        Assert.Equal(status.Backlog == 0, status.OldestWaitingSince is null);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class ModelScoringTestsOnSqlite(SqliteApp app) : ModelScoringTests(app);

[Collection(PostgresCollection.Name)]
public sealed class ModelScoringTestsOnPostgres(PostgresApp app) : ModelScoringTests(app);

/// <summary>
/// With no worker running (as on an instance whose jobs are off): the backlog grows, readiness turns Degraded past the
/// setting and recovers as the model catches up, and a text another instance has claimed is left to it until its claim
/// lapses. One app per database.
/// </summary>
public abstract class ModelBacklogTests(string provider)
{
    [Fact]
    public async Task A_backlog_past_the_setting_degrades_readiness_and_a_claimed_text_waits_for_its_claim_to_lapse()
    {
        await using var app = new TestApp(provider, settings: new() { ["Amends:Jobs:Enabled"] = "false", ["Amends:Detection:MaxBacklog"] = "2" });
        await app.InitializeAsync();
        var ct = TestContext.Current.CancellationToken;
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
            {
                source = "chat", externalId = "backlog-" + i, kind = "Message", occurredAt = TimeProvider.System.GetUtcNow(),
                customer = new { email = $"b{i}@example.com" }, text = "Where is my parcel? It was due on Monday, order " + i,
            })).SignalId);
        }

        var status = await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status");
        Assert.Equal((3, false, false), (status.Backlog, status.BacklogMore, status.ModelLoaded));
        Assert.NotNull(status.OldestWaitingSeconds);
        var (state, description) = await DetectionCheckAsync(app);
        Assert.Equal("Degraded", state);
        Assert.Contains("More than 2 texts wait for the sentence model", description);
        using (var ready = await app.Anonymous.GetAsync("/health/ready", ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // One of them claimed by another instance: this one reads the other two (as its worker does, one batch written
        // while the next is read) and leaves it.
        async Task ClaimAsync(DateTime until)
        {
            await using var scope = app.Scope();
            await scope.ServiceProvider.GetRequiredService<AmendsDbContext>().Signals.Where(s => s.Id == ids[0])
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.ModelLeaseOwner, Guid.NewGuid()).SetProperty(s => s.ModelLeaseUntil, until), ct);
        }

        await ClaimAsync(TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(5));
        var scoring = app.Services.GetRequiredService<ModelScoring>();
        Assert.Equal(2, await scoring.RunUntilDoneAsync(ct));
        Assert.Equal(0, await scoring.RunOnceAsync(ct));
        Assert.Null((await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{ids[0]}")).ModelScore);
        Assert.Equal("Healthy", (await DetectionCheckAsync(app)).Status);

        // Its claim lapses (that instance stopped): it is read after all.
        await ClaimAsync(TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-1));
        Assert.Equal(1, await scoring.RunOnceAsync(ct));
        Assert.NotNull((await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{ids[0]}")).ModelScore);
        status = await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status");
        Assert.Equal((0, true, (DateTime?)null), (status.Backlog, status.ModelLoaded, status.OldestWaitingSince));

        // Several claims of this one instance at once (its worker and a direct call, say): each text is read once. A
        // claim token shared by the instance let each of them take the rows another had just claimed, read them again,
        // and write a stale decision over what the first had led to.
        for (var i = 0; i < 8; i++)
        {
            await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
            {
                source = "chat", externalId = "race-" + i, kind = "Message", occurredAt = TimeProvider.System.GetUtcNow(),
                customer = new { email = $"r{i}@example.com" }, text = "The app crashed again while I was paying, attempt " + i,
            });
        }

        var counts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => scoring.RunOnceAsync(ct, batch: 8), ct)));
        Assert.Equal(8, counts.Sum());
        Assert.Equal(0, (await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status")).Backlog);
    }

    private static async Task<(string Status, string Description)> DetectionCheckAsync(TestApp app)
    {
        using var json = JsonDocument.Parse(await app.Anonymous.GetStringAsync("/health/ready", TestContext.Current.CancellationToken));
        var check = json.RootElement.GetProperty("checks").GetProperty("detection");
        return (check.GetProperty("status").GetString()!, check.GetProperty("description").GetString()!);
    }
}

public sealed class ModelBacklogTestsOnSqlite() : ModelBacklogTests("Sqlite");

public sealed class ModelBacklogTestsOnPostgres() : ModelBacklogTests("Postgres");
