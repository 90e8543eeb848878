using System.ComponentModel;
using Amends.Domain.Common;
using Amends.Domain.Signals;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Signals;

/// <summary>One version of the sentence model's head: the shipped one, or one retrained from the organisation's verdicts.</summary>
public sealed record DetectionModelDto(
    [property: Description("Null for the shipped head")] Guid? Id,
    string Version,
    [property: Description("The head trained by the tool and shipped with the product")] bool Shipped,
    TrainingState State,
    [property: Description("0–100 while it trains")] int Progress,
    string? Stage,
    DateTime? CreatedAt,
    string? CreatedBy,
    DateTime? FinishedAt,
    [property: Description("Verdicts it learnt from and was measured on")] int Labels,
    [property: Description("Of those, confirmed (the customer was unhappy)")] int Confirmed,
    [property: Description("Verdicts held out of training to measure it on")] int HeldOut,
    [property: Description("Its ROC-AUC on the held-out verdicts")] double? HeldOutAuc,
    [property: Description("The head in use when it was trained")] string? ComparedVersion,
    [property: Description("That head's ROC-AUC on the same held-out verdicts")] double? ComparedAuc,
    [property: Description("Better than the head it was compared with: only then can it be put in use (or when it was in use before)")] bool Better,
    bool Active,
    bool WasActive,
    DateTime? ActivatedAt,
    string? ActivatedBy,
    string? Error);

/// <summary>
/// Retrains the sentence model's head from the organisation's own verdicts (the texts of detected cases that agents
/// marked confirmed or not a problem) together with the shipped training sample, on this instance's model core, in the
/// background with its progress on the version's row; measures the new head and the one in use on the verdicts held out
/// of training (every third), and keeps every version so an admin puts in use one that is better, or goes back to one
/// used before or to the shipped head. Every instance follows the version marked active (<see cref="HeadSelection"/>).
/// </summary>
public sealed class HeadTraining(IServiceScopeFactory scopes, SentenceScoring model, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<HeadTraining> logger)
{
    /// <summary>Fewer verdicts than this (or fewer than <see cref="MinEach"/> of either answer) teach nothing measurable.</summary>
    public const int MinLabels = 12;

    public const int MinEach = 4;

    /// <summary>The newest verdicts read, at most.</summary>
    public const int MaxLabels = 20_000;

    /// <summary>A training not finished after this long (its instance stopped) no longer blocks a new one.</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromMinutes(30);

    private sealed record Label(Guid SignalId, string Text, bool Dissatisfied);

    public async Task<IReadOnlyList<DetectionModelDto>> ListAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var rows = await db.TrainedHeads.AsNoTracking().OrderByDescending(h => h.Number).ToListAsync(ct);
        return [ShippedDto(rows.All(r => !r.Active)), .. rows.Select(Dto)];
    }

    public async Task<Result<DetectionModelDto>> GetAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        return await db.TrainedHeads.AsNoTracking().SingleOrDefaultAsync(h => h.Id == id, ct) is { } row ? Result<DetectionModelDto>.Ok(Dto(row)) : NotFound(id);
    }

    /// <summary>Starts a training in the background; its row (returned at once) shows its progress.</summary>
    public async Task<Result<DetectionModelDto>> StartAsync(Actor by, CancellationToken ct)
    {
        if (!model.Enabled)
        {
            return DomainError.Conflict("detection.model_off", "The sentence model is off (Amends:Detection:Model is Fast): there is no head to retrain.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var now = time.GetUtcNow();
        var since = now.UtcDateTime - Stale;
        if (await db.TrainedHeads.AnyAsync(h => h.State == TrainingState.Training && h.CreatedAt > since, ct))
        {
            return DomainError.Conflict("detection.training_running", "A training is running: wait for it to finish.");
        }

        var labels = await LabelsAsync(db, ct);
        var confirmed = labels.Count(l => l.Dissatisfied);
        if (labels.Count < MinLabels || confirmed < MinEach || labels.Count - confirmed < MinEach)
        {
            return DomainError.Conflict("detection.too_few_verdicts",
                $"Retraining needs at least {MinLabels} judged detected cases with at least {MinEach} of each answer; there are {labels.Count} " +
                $"({confirmed} confirmed, {labels.Count - confirmed} not a problem). Agents judge detected cases on the case page.");
        }

        var number = (await db.TrainedHeads.MaxAsync(h => (int?)h.Number, ct) ?? 0) + 1;
        var row = TrainedHead.Start(number, by.Name, now);
        db.TrainedHeads.Add(row);
        await db.SaveChangesAsync(ct);
        _ = Task.Run(() => TrainAsync(row.Id, labels, lifetime.ApplicationStopping), CancellationToken.None);
        return Result<DetectionModelDto>.Ok(Dto(row));
    }

    /// <summary>Puts a ready version in use on every instance (null: the shipped head).</summary>
    public async Task<Result<DetectionModelDto>> ActivateAsync(Guid? id, Actor by, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var active = await db.TrainedHeads.Where(h => h.Active).ToListAsync(ct);
        TrainedHead? chosen = null;
        if (id is { } wanted)
        {
            chosen = active.FirstOrDefault(h => h.Id == wanted) ?? await db.TrainedHeads.SingleOrDefaultAsync(h => h.Id == wanted, ct);
            if (chosen is null)
            {
                return NotFound(wanted);
            }
        }

        // The one in use first cleared, then the new one set, in one transaction: the unique index on the flag never sees
        // two, and a refusal leaves everything as it was.
        await using (var turn = await db.WriteTurnAsync(ct))
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            foreach (var head in active.Where(h => h != chosen))
            {
                head.Deactivate();
            }

            await db.SaveChangesAsync(ct);
            if (chosen is { Active: false } && chosen.Activate(by.Name, time.GetUtcNow()) is { } refused)
            {
                return refused;
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        model.Use(chosen is null ? model.Shipped : EmbeddingHead.Read(new StringReader(chosen.Head!)));
        logger.LogInformation("{By} put head {Version} in use", by.Name, model.Version);
        return Result<DetectionModelDto>.Ok(chosen is null ? ShippedDto(true) : Dto(chosen));
    }

    private static async Task<List<Label>> LabelsAsync(AmendsDbContext db, CancellationToken ct)
    {
        var rows = await (
                from s in db.Signals.AsNoTracking()
                join c in db.Cases.AsNoTracking() on s.CaseId equals c.Id
                where s.Text != null && c.DetectionVerdict != null
                orderby s.ReceivedAt descending
                select new { s.Id, s.Text, c.DetectionVerdict })
            .Take(MaxLabels).ToListAsync(ct);

        // One text once (a replayed or forwarded copy would count twice), the newest verdict on it.
        return [.. rows.DistinctBy(r => r.Text).Select(r => new Label(r.Id, r.Text!, r.DetectionVerdict == Domain.Cases.DetectionVerdict.Confirmed)).OrderBy(l => l.SignalId)];
    }

    private async Task TrainAsync(Guid id, List<Label> labels, CancellationToken ct)
    {
        try
        {
            await ReportAsync(id, 1, $"Reading {labels.Count:N0} judged texts", ct);
            var embeddings = new List<float[]>(labels.Count);
            foreach (var chunk in labels.Chunk(32))
            {
                embeddings.AddRange(model.Embed([.. chunk.Select(l => l.Text)]));
                await ReportAsync(id, 1 + (60 * embeddings.Count / labels.Count), $"Reading the judged texts: {embeddings.Count:N0} of {labels.Count:N0}", ct);
            }

            // Every third verdict is held out to measure on; the rest, weighted so they count beside the shipped sample
            // without drowning it, trains with it.
            var train = Enumerable.Range(0, labels.Count).Where(i => i % 3 != 0).ToList();
            var held = Enumerable.Range(0, labels.Count).Where(i => i % 3 == 0).ToList();
            var sample = model.TrainingSample;
            var weight = Math.Clamp(sample.Count / (4 * Math.Max(1, train.Count)), 1, 25);
            var x = new List<float[]>(sample.Embeddings);
            var y = new List<bool>(sample.Labels);
            foreach (var i in train)
            {
                for (var k = 0; k < weight; k++)
                {
                    x.Add(embeddings[i]);
                    y.Add(labels[i].Dissatisfied);
                }
            }

            var version = (await GetAsync(id, ct)).Value.Version;
            var lastReported = 0;
            var trained = EmbeddingHead.Train(x, y, version, progress: (epoch, epochs) =>
            {
                var percent = 61 + (35 * epoch / epochs);
                if (percent >= lastReported + 5)
                {
                    lastReported = percent;
                    ReportAsync(id, percent, $"Training: step {epoch} of {epochs}", ct).GetAwaiter().GetResult();
                }
            });

            var current = model.Head;
            BinaryMetrics Measure(EmbeddingHead head) => BinaryMetrics.Compute([.. held.Select(i => (head.Score(embeddings[i]), labels[i].Dissatisfied))]);
            var mine = Measure(trained);
            var theirs = Measure(current);
            var text = new StringWriter();
            trained.Write(text);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            var row = await db.TrainedHeads.SingleAsync(h => h.Id == id, ct);
            row.Finish(text.ToString(), labels.Count, labels.Count(l => l.Dissatisfied), held.Count, mine.RocAuc, current.Version, theirs.RocAuc, time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Head {Version} trained on {Labels} verdicts: ROC-AUC {Mine:0.000} on the held-out ones, {Current} {Theirs:0.000}",
                version, labels.Count, mine.RocAuc, current.Version, theirs.RocAuc);
        }
        catch (Exception e) when (!ct.IsCancellationRequested || e is not OperationCanceledException)
        {
            logger.LogError(e, "Training head {Id} failed", id);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
                var row = await db.TrainedHeads.SingleAsync(h => h.Id == id, CancellationToken.None);
                row.Fail(e.Message, time.GetUtcNow());
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (Exception again)
            {
                logger.LogError(again, "Could not record that training head {Id} failed", id);
            }
        }
    }

    private async Task ReportAsync(Guid id, int progress, string stage, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        await db.TrainedHeads.Where(h => h.Id == id).ExecuteUpdateAsync(set => set.SetProperty(h => h.Progress, progress).SetProperty(h => h.Stage, stage), ct);
    }

    private DetectionModelDto ShippedDto(bool active) => new(
        null, model.Shipped.Version, true, TrainingState.Ready, 100, "Shipped", null, null, null, 0, 0, 0, null, null, null, false, active, true, null, null, null);

    private static DetectionModelDto Dto(TrainedHead h) => new(
        h.Id, h.Version, false, h.State, h.Progress, h.Stage, h.CreatedAt, h.CreatedBy, h.FinishedAt, h.Labels, h.Confirmed, h.HeldOut, h.HeldOutAuc,
        h.ComparedVersion, h.ComparedAuc, h.Better, h.Active, h.WasActive, h.ActivatedAt, h.ActivatedBy, h.Error);

    private static DomainError NotFound(Guid id) => DomainError.NotFound("detection.model_not_found", $"There is no trained head {id}.");
}

/// <summary>
/// Keeps this instance's sentence model on the head marked active in the database (a retrained one, or the shipped one
/// when none is): at start and every 15 seconds, so a switch made on another instance reaches this one.
/// </summary>
internal sealed class HeadSelection(IServiceScopeFactory scopes, SentenceScoring model, TimeProvider time, ILogger<HeadSelection> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!model.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(stoppingToken);
                await Task.Delay(Every, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database not ready yet at start, say: the head in use stays until the next look.
                logger.LogWarning(e, "Could not read which detection head is in use");
                await Task.Delay(Every, time, stoppingToken);
            }
        }
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var active = await db.TrainedHeads.AsNoTracking().Where(h => h.Active).Select(h => new { h.Version, h.Head }).FirstOrDefaultAsync(ct);
        var wanted = active?.Version ?? model.Shipped.Version;
        if (wanted != model.Version)
        {
            model.Use(active is null ? model.Shipped : EmbeddingHead.Read(new StringReader(active.Head!)));
            logger.LogInformation("Detection now uses head {Version}", wanted);
        }
    }
}
