using Amends.Domain.Signals;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Signals;

/// <summary>
/// The full path of detection: the sentence model reads, in the background, every text that ingestion stored with only
/// the fast score. It claims the riskiest waiting texts in batches (as the sweep claims due work: a lease per row, so
/// several instances never read one twice and a crashed one's claim lapses), scores them on one core, and takes the
/// risk decision again: a signal the fast score let pass that now reads as risky is left to <see cref="PendingSignals"/>
/// to open or attach its case. A signal that already drove a case keeps it; only its risk and reason are brought up to date.
/// </summary>
public sealed class ModelScoring(
    IServiceScopeFactory scopes,
    SentenceScoring model,
    TextScoring fast,
    PendingSignals pending,
    TimeProvider time,
    IOptionsMonitor<DetectionOptions> options,
    AmendsMetrics metrics) : IDisposable
{
    /// <summary>How long a claim holds: far longer than a batch takes, short enough that a crash costs little.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Wakes the worker when ingestion stored texts.</summary>
    public Wakeup Wakeup { get; } = new();

    public bool Enabled => model.Enabled;

    public string Version => model.Version;

    /// <summary>
    /// Reads one batch of waiting texts, riskiest first; returns how many it scored. It works in <c>context</c> when one
    /// is given (the demo's seeding, which records history), else in a fresh scope's.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken ct, int? batch = null, AmendsDbContext? context = null)
    {
        if (!model.Enabled)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = context ?? scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var claimed = await ClaimAsync(db, batch, ct);
        if (claimed.Count == 0)
        {
            return 0;
        }

        await RecordAsync(db, claimed, Read(claimed), notify: context is null, ct);
        return claimed.Count;
    }

    /// <summary>
    /// Reads every waiting text, one batch after another, with the database's work of a batch (writing it, claiming the
    /// next) done while the model reads the next one: the model's core does not wait on the database. Returns how many it
    /// scored, when none waits.
    /// </summary>
    public async Task<int> RunUntilDoneAsync(CancellationToken ct)
    {
        if (!model.Enabled)
        {
            return 0;
        }

        var done = 0;
        Task writing = Task.CompletedTask;
        while (!ct.IsCancellationRequested)
        {
            var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            var claimed = await ClaimAsync(db, null, ct);
            if (claimed.Count == 0)
            {
                await scope.DisposeAsync();
                break;
            }

            var readings = Read(claimed);
            try
            {
                await writing;
            }
            catch
            {
                // The batch written last failed (its claims lapse and it is read again); this one goes back the same way.
                await scope.DisposeAsync();
                throw;
            }

            done += claimed.Count;
            writing = WriteAsync(scope, db, claimed, readings, ct);
        }

        await writing;
        return done;

        async Task WriteAsync(AsyncServiceScope scope, AmendsDbContext db, List<Signal> claimed, TextReading[] readings, CancellationToken token)
        {
            await using (scope)
            {
                await RecordAsync(db, claimed, readings, notify: true, token);
            }
        }
    }

    /// <summary>Claims up to a batch of the riskiest waiting texts for this instance, with a lease; the claimed signals, tracked.</summary>
    private async Task<List<Signal>> ClaimAsync(AmendsDbContext db, int? batch, CancellationToken ct)
    {
        var at = time.GetUtcNow().UtcDateTime;
        var candidates = await Waiting(db).Where(s => s.ModelLeaseUntil == null || s.ModelLeaseUntil < at)
            .OrderByDescending(s => s.Risk).ThenBy(s => s.ReceivedAt).Select(s => s.Id)
            .Take(Math.Max(1, batch ?? options.CurrentValue.ModelBatch)).ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return [];
        }

        // The lease condition again in the update: of two claims racing for a row, only one update matches it. Each claim
        // has its own token, not one per instance: two claims of one instance (the worker and a direct call) racing for
        // a row would otherwise both find it theirs, both read it, and the later write would undo what the first led to.
        var until = at + Lease;
        var claim = Guid.NewGuid();
        await Waiting(db).Where(s => candidates.Contains(s.Id) && (s.ModelLeaseUntil == null || s.ModelLeaseUntil < at))
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.ModelLeaseOwner, claim).SetProperty(s => s.ModelLeaseUntil, until), ct);

        return await Waiting(db).Where(s => candidates.Contains(s.Id) && s.ModelLeaseOwner == claim).ToListAsync(ct);
    }

    private TextReading[] Read(List<Signal> claimed)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var readings = model.Read([.. claimed.Select(s => s.Text!)]);
        metrics.TextsScored(claimed.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return readings;
    }

    /// <summary>Records the model's readings, takes each risk again, and leaves to the pending worker the signals that now act.</summary>
    private async Task RecordAsync(AmendsDbContext db, List<Signal> claimed, TextReading[] readings, bool notify, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var settings = options.CurrentValue;
        var undecided = claimed.Where(s => s.Action == SignalAction.None).Select(s => s.CustomerId).Distinct().ToList();
        var open = true;
        var withOpenCase = undecided.Count == 0 ? [] : (await db.Cases.Where(c => undecided.Contains(c.CustomerId) && c.IsOpen == open)
            .Select(c => c.CustomerId).Distinct().ToListAsync(ct)).ToHashSet();
        var acts = 0;
        for (var i = 0; i < claimed.Count; i++)
        {
            var signal = claimed[i];
            signal.RecordModelScore(readings[i].Score, readings[i].Version, readings[i].Category);
            if (signal.Action == SignalAction.None
                && (signal.Risk >= settings.OpenCaseAt || (signal.Risk >= settings.AttachAt && withOpenCase.Contains(signal.CustomerId))))
            {
                signal.Decide(SignalAction.Pending, null, now);
                signal.LeaveToWorker();
                acts++;
            }
        }

        await db.SaveChangesAsync(ct);
        if (acts > 0 && notify)
        {
            pending.Notify();
        }
    }

    /// <summary>How many texts wait for the model (counted up to <paramref name="cap"/>) and since when the oldest has.</summary>
    public async Task<ScoringBacklog> BacklogAsync(CancellationToken ct, int cap = 100_000)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await BacklogAsync(scope.ServiceProvider.GetRequiredService<AmendsDbContext>(), cap, ct);
    }

    private async Task<ScoringBacklog> BacklogAsync(AmendsDbContext db, int cap, CancellationToken ct)
    {
        var count = await Waiting(db).Take(cap + 1).CountAsync(ct);
        var oldest = count == 0 ? null : await Waiting(db).MinAsync(s => (DateTime?)s.ReceivedAt, ct);
        return new ScoringBacklog(Math.Min(count, cap), count > cap, oldest, model.Enabled, model.Loaded, model.Version);
    }

    /// <summary>The backlog with its oldest text's age, the models in use and the risk thresholds: the admin page and its API.</summary>
    public async Task<DetectionStatus> StatusAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var backlog = await BacklogAsync(db, 100_000, ct);
        var settings = options.CurrentValue;
        var verdicts = await db.Cases.Where(c => c.DetectedRisk != null).GroupBy(c => c.DetectionVerdict)
            .Select(g => new { Verdict = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(Domain.Cases.DetectionVerdict? v) => verdicts.Where(x => x.Verdict == v).Sum(x => x.Count);
        double? age = backlog.OldestReceivedAt is { } oldest ? Math.Round(Math.Max(0, (time.GetUtcNow().UtcDateTime - oldest).TotalSeconds), 1) : null;
        return new DetectionStatus(backlog.Count, backlog.More, backlog.OldestReceivedAt, age, settings.MaxBacklog,
            model.Enabled ? DetectionModel.Sentence : DetectionModel.Fast, model.Loaded, model.Version, fast.Version, settings.OpenCaseAt, settings.AttachAt,
            Count(Domain.Cases.DetectionVerdict.Confirmed), Count(Domain.Cases.DetectionVerdict.NotAProblem), Count(null));
    }

    public void Dispose() => Wakeup.Dispose();

    private static IQueryable<Signal> Waiting(AmendsDbContext db) => db.Signals.Where(s => s.ModelScore == null && s.Text != null);
}

/// <summary>The texts waiting for the sentence model: how many (<c>more</c> when past the count's cap) and the oldest's arrival.</summary>
public sealed record ScoringBacklog(int Count, bool More, DateTime? OldestReceivedAt, bool Enabled, bool Loaded, string ModelVersion);

/// <summary>Runs <see cref="ModelScoring"/> while texts wait, then sleeps until ingestion wakes it or the poll interval.</summary>
internal sealed class ModelScoringWorker(ModelScoring scoring, IConfiguration configuration, ILogger<ModelScoringWorker> logger)
    : WakeableWorker(scoring.Wakeup, configuration, logger)
{
    protected override string Work => "Scoring texts with the sentence model";

    protected override bool Enabled => scoring.Enabled;

    // The model is CPU work without awaits: off the host's startup path, on a pool thread of its own.
    protected override Task<int> RunOnceAsync(CancellationToken ct) => Task.Run(() => scoring.RunUntilDoneAsync(ct), ct);
}
