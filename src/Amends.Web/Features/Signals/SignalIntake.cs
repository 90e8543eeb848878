using System.Text.Json;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Signals;

/// <summary>
/// Takes signals in, alone or by the thousand. Every valid one is stored once per (source, external id) with its rule cues,
/// the fast text score and its risk, in one write per batch; a replay answers with the signal's current state. Then the
/// few risky enough to act on open a case, or go onto the customer's open one, one by one: until that is done they stay
/// <see cref="SignalAction.Pending"/>, so a crash in between loses nothing (<see cref="ActAsync"/> picks them up again).
/// </summary>
public sealed class SignalIntake(
    AmendsDbContext db, TextScoring scoring, OpenCase openCase, CaseMutation mutation, IOptionsMonitor<DetectionOptions> options,
    PendingSignals pending, ModelScoring model, TimeProvider time, ILogger<SignalIntake> logger)
{
    public const int MaxBatch = 1000;
    public const long MaxBatchBytes = 8L * 1024 * 1024;

    /// <summary>One item's outcome: its result, or the reasons it was refused.</summary>
    public sealed record Outcome(int Index, SignalResult? Result, IReadOnlyList<DomainError>? Errors);

    private sealed record Parsed(int Index, SignalReport Report, SignalCustomer? Customer);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<SignalBatchResult> BatchAsync(IReadOnlyList<JsonElement> items, CancellationToken ct)
    {
        var requests = new SignalRequest?[items.Count];
        var unreadable = new Dictionary<int, DomainError>();
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                requests[i] = items[i].ValueKind == JsonValueKind.Object ? items[i].Deserialize<SignalRequest>(Json) : null;
                if (requests[i] is null)
                {
                    unreadable[i] = DomainError.Invalid("signal.not_an_object", "", "Each item is a JSON object.");
                }
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "";
                unreadable[i] = DomainError.Invalid("request.invalid_value", field, $"'{field}' has the wrong type.");
            }
        }

        var outcomes = await IngestAsync(requests, ct, actNow: false);
        var results = outcomes.Select(o => unreadable.TryGetValue(o.Index, out var bad)
            ? new SignalBatchItem(o.Index, "Invalid", Errors: Infrastructure.ApiProblems.Fields([bad]))
            : o.Result is { } r
                ? new SignalBatchItem(o.Index, r.Replayed ? "Replayed" : "Stored", r.SignalId, r.Action, r.CaseId)
                : new SignalBatchItem(o.Index, "Invalid", Errors: Infrastructure.ApiProblems.Fields(o.Errors!))).ToList();
        return new SignalBatchResult(results, results.Count(r => r.Status == "Stored"), results.Count(r => r.Status == "Replayed"), results.Count(r => r.Status == "Invalid"));
    }

    /// <summary>
    /// Stores and assesses the signals, then takes the actions they call for: here and now (<paramref name="actNow"/>, a
    /// single signal, whose answer names its case), or by the background worker, woken at once (a batch answers
    /// <c>Pending</c> for those and does not wait for their cases). One outcome per request, in order.
    /// </summary>
    public async Task<List<Outcome>> IngestAsync(IReadOnlyList<SignalRequest?> requests, CancellationToken ct, bool actNow = true)
    {
        var clock = time.GetUtcNow();
        var now = clock.AddTicks(-(clock.Ticks % 10));
        var outcomes = new Outcome?[requests.Count];
        var parsed = new List<Parsed>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is not { } request)
            {
                outcomes[i] = new Outcome(i, null, [DomainError.Invalid("signal.not_an_object", "", "Each item is a JSON object.")]);
                continue;
            }

            var (report, errors) = Parse(request);
            errors.AddRange(CustomerMatcher.Check(request.Customer));
            if (errors.Count > 0)
            {
                outcomes[i] = new Outcome(i, null, errors);
            }
            else
            {
                parsed.Add(new Parsed(i, report!, request.Customer));
            }
        }

        var stored = await StoreAsync(parsed, now, actNow, ct);
        foreach (var (index, result) in stored)
        {
            outcomes[index] = new Outcome(index, result, null);
        }

        if (parsed.Any(p => p.Report.Text is not null))
        {
            // Texts for the sentence model to read in the background.
            model.Wakeup.Notify();
        }

        if (!actNow)
        {
            if (stored.Any(s => s.Result is { Action: SignalAction.Pending, Replayed: false }))
            {
                pending.Notify();
            }

            return [.. outcomes.Select(o => o!)];
        }

        // The actions, riskiest first; each answer then says what became of its signal.
        db.ChangeTracker.Clear();
        foreach (var (index, result) in stored.Where(s => s.Result is { Action: SignalAction.Pending, Replayed: false }).OrderByDescending(s => s.Result.Risk))
        {
            outcomes[index] = new Outcome(index, await ActAsync(result.SignalId, ct) ?? result, null);
        }

        return [.. outcomes.Select(o => o!)];
    }

    /// <summary>
    /// Stores the new signals of a batch in one write. When that write loses a race (the same signal or the same new
    /// customer stored meanwhile by another request, or a deadlock with it), the batch is written once more, then item by
    /// item; a signal stored meanwhile answers as a replay.
    /// </summary>
    private async Task<List<(int Index, SignalResult Result)>> StoreAsync(List<Parsed> items, DateTimeOffset now, bool actNow, CancellationToken ct)
    {
        var answered = new List<(int, SignalResult)>();
        if (items.Count == 0)
        {
            return answered;
        }

        var existing = await ExistingAsync(items.Select(p => Key(p.Report)).Distinct().ToList(), ct);
        var fresh = new List<Parsed>();
        var firstOfKey = new Dictionary<(string, string), int>();
        foreach (var item in items)
        {
            if (existing.TryGetValue(Key(item.Report), out var earlier))
            {
                answered.Add((item.Index, earlier with { Replayed = true }));
            }
            else if (!firstOfKey.TryAdd(Key(item.Report), item.Index))
            {
                // The same signal twice in one batch: the second answers as a replay of the first, below.
                continue;
            }
            else
            {
                fresh.Add(item);
            }
        }

        if (fresh.Count > 0)
        {
            try
            {
                answered.AddRange(await AssessAndSaveAsync(fresh, now, actNow, ct));
            }
            catch (Exception e) when (LostRace(e) && fresh.Count > 1)
            {
                // Usually another batch stored some of the same new customers first: once more, they match now. Then
                // each alone, so one item that keeps losing cannot hold the others back.
                db.ChangeTracker.Clear();
                try
                {
                    answered.AddRange(await StoreAgainAsync(fresh, now, actNow, ct));
                }
                catch (Exception again) when (LostRace(again))
                {
                    db.ChangeTracker.Clear();
                    foreach (var item in fresh)
                    {
                        answered.Add((item.Index, await StoreAloneAsync(item, now, actNow, ct)));
                    }
                }
            }
            catch (Exception e) when (LostRace(e))
            {
                answered.Add((fresh[0].Index, await StoreAloneAsync(fresh[0], now, actNow, ct)));
            }
        }

        // Later copies of a signal within the batch answer as replays of the first.
        var byIndex = items.ToDictionary(i => i.Index);
        var byKey = answered.GroupBy(a => Key(byIndex[a.Item1].Report)).ToDictionary(g => g.Key, g => g.First().Item2);
        var done = answered.Select(a => a.Item1).ToHashSet();
        foreach (var item in items.Where(i => !done.Contains(i.Index)))
        {
            answered.Add((item.Index, byKey[Key(item.Report)] with { Replayed = true }));
        }

        return answered;
    }

    /// <summary>The batch again after a lost race: what was stored meanwhile answers as a replay, the rest is written.</summary>
    private async Task<List<(int, SignalResult)>> StoreAgainAsync(List<Parsed> items, DateTimeOffset now, bool actNow, CancellationToken ct)
    {
        var existing = await ExistingAsync(items.Select(i => Key(i.Report)).ToList(), ct);
        var answered = items.Where(i => existing.ContainsKey(Key(i.Report))).Select(i => (i.Index, existing[Key(i.Report)] with { Replayed = true })).ToList();
        var rest = items.Where(i => !existing.ContainsKey(Key(i.Report))).ToList();
        if (rest.Count > 0)
        {
            answered.AddRange(await AssessAndSaveAsync(rest, now, actNow, ct));
        }

        return answered;
    }

    /// <summary>
    /// One signal whose write lost a race: stored meanwhile by another request (a replay), or its new customer was (it
    /// matches them now), or a deadlock between two batches creating the same customers chose it; tried a few times.
    /// </summary>
    private async Task<SignalResult> StoreAloneAsync(Parsed item, DateTimeOffset now, bool actNow, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            if ((await ExistingAsync([Key(item.Report)], ct)).TryGetValue(Key(item.Report), out var winner))
            {
                return winner with { Replayed = true };
            }

            try
            {
                return (await AssessAndSaveAsync([item], now, actNow, ct))[0].Item2;
            }
            catch (Exception e) when (LostRace(e) && attempt < 5)
            {
                await Task.Delay(Random.Shared.Next(5, 25) * attempt, ct);
            }
        }
    }

    /// <summary>A write that lost to another: a unique key taken meanwhile, or a deadlock (which the retrying strategy wraps).</summary>
    private static bool LostRace(Exception e) =>
        e is DbUpdateException or System.Data.Common.DbException || e is InvalidOperationException { InnerException: DbUpdateException or System.Data.Common.DbException };

    private async Task<List<(int, SignalResult)>> AssessAndSaveAsync(List<Parsed> items, DateTimeOffset now, bool actNow, CancellationToken ct)
    {
        // On SQLite the turn to write is taken before the customers are looked up: one writer at a time, so a batch
        // never creates a customer the batch before it has just created (PostgreSQL writers run side by side and a
        // lost race is retried by the caller).
        await using var turn = await db.WriteTurnAsync(ct);
        var matcher = await CustomerMatcher.LoadAsync(db, items.Select(i => i.Customer!).ToList(), ct);
        var customers = items.Select(i => matcher.Resolve(i.Customer!, now)).ToList();
        var known = customers.Where(c => db.Entry(c).State != EntityState.Added).Select(c => c.Id).Distinct().ToList();
        var history = await History.LoadAsync(db, known, items.Where(i => CueRules.IsContact(i.Report.Kind!.Value, i.Report.Event)).Select(i => i.Report.OccurredAt!.Value.UtcDateTime).DefaultIfEmpty(now.UtcDateTime).Min(), now, ct);
        var settings = options.CurrentValue;
        var results = new List<(int, SignalResult)>();
        var signals = new List<Signal>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var customer = customers[i];
            var signal = Signal.Create(items[i].Report, customer.Id, now);
            var (contacts, prior) = CueRules.IsContact(signal.Kind, signal.Event) ? history.Contact(signal) : (0, 0);
            var score = signal.Text is { } text ? scoring.Score(text) : (double?)null;
            var context = new RiskContext(customer.Tier, history.RecentCase.Contains(customer.Id), contacts, prior);
            var (cues, risk) = RiskScorer.Assess(signal, score, context);
            signal.Assess(cues, score, scoring.Version, context, risk);
            var act = risk.Score >= settings.OpenCaseAt || (risk.Score >= settings.AttachAt && history.OpenCase.Contains(customer.Id));
            // A pending signal this request acts on itself carries the time as its claim; one left to the worker has none.
            signal.Decide(act ? SignalAction.Pending : SignalAction.None, null, now);
            if (act && !actNow)
            {
                signal.LeaveToWorker();
            }

            signals.Add(signal);
            results.Add((items[i].Index, Result(signal, null)));
        }

        // The new customers (a few) through EF Core, the signals (many) straight through the row writer, in one
        // transaction: EF Core's change tracking of a thousand new rows would cost more than writing them.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            await using var writer = new RowWriter(db);
            foreach (var signal in signals)
            {
                writer.Insert(signal);
            }

            await writer.FlushAsync(ct);
            await transaction.CommitAsync(ct);
        }

        return results;
    }

    /// <summary>
    /// Takes the action a pending signal calls for: onto the customer's open case, or a new case when its risk is high
    /// enough. Safe to run again: a signal that is no longer pending is left as it is. Null when there is no such signal.
    /// </summary>
    public async Task<SignalResult?> ActAsync(Guid signalId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            db.ChangeTracker.Clear();
            var signal = await db.Signals.AsNoTracking().SingleOrDefaultAsync(s => s.Id == signalId, ct);
            if (signal is null || signal.Action != SignalAction.Pending)
            {
                return signal is null ? null : await CurrentAsync(signal, ct);
            }

            var open = true;
            var target = await db.Cases.AsNoTracking().Where(c => c.CustomerId == signal.CustomerId && c.IsOpen == open)
                .OrderByDescending(c => c.UpdatedAt).Select(c => (CaseId?)c.Id).FirstOrDefaultAsync(ct);
            if (target is { } caseId)
            {
                var attached = await mutation.ApplyAsync(caseId.Value, null, CaseAccess.System, async (c, at) =>
                {
                    await RecordAsync(c, signalId, SignalAction.Attached, at, ct);
                    return null;
                }, ct);
                if (!attached.IsSuccess)
                {
                    logger.LogWarning("Signal {SignalId} could not go onto case {CaseId}: {Error}", signalId, caseId, attached.Error!.Message);
                }

                continue;
            }

            if (signal.Risk < options.CurrentValue.OpenCaseAt)
            {
                // Pending to go onto a case that has closed since: below the bar for a case of its own.
                var row = await db.Signals.SingleAsync(s => s.Id == signalId, ct);
                row.Decide(SignalAction.None, null, time.GetUtcNow());
                await db.SaveChangesAsync(ct);
                continue;
            }

            var opened = await openCase.HandleAsync(
                new OpenCaseRequest(signal.CustomerId.Value, CategoryFor(signal), Summary(signal), await ChannelAsync(signal, ct), SeverityFor(signal.Risk)),
                null, ct, creationKey: "signal:" + signalId.ToString("N"),
                alongside: (c, at) => RecordAsync(c, signalId, SignalAction.Opened, at, ct));
            if (!opened.IsSuccess)
            {
                logger.LogWarning("Signal {SignalId} could not open a case: {Error}", signalId, opened.Error!.Message);
                return Result(signal, null);
            }
        }

        var final = await db.Signals.AsNoTracking().SingleAsync(s => s.Id == signalId, ct);
        return await CurrentAsync(final, ct);
    }

    /// <summary>Puts the signal on the case's timeline and marks what it did, in the case's own write.</summary>
    private async Task RecordAsync(RecoveryCase c, Guid signalId, SignalAction action, DateTimeOffset at, CancellationToken ct)
    {
        var signal = await db.Signals.SingleAsync(s => s.Id == signalId, ct);
        if (signal.Action != SignalAction.Pending)
        {
            return;
        }

        c.RecordSignal(signal.Id, Headline(signal), signal.Text, signal.Channel, signal.Kind == SignalKind.Message, signal.Risk, at);
        signal.Decide(action, c.Id, at);
    }

    /// <summary>What the timeline says of a signal: what it was, from where, and why it matters.</summary>
    public static string Headline(Signal s) => $"{s.Describe()} from {s.Source} · risk {s.Risk}/100: {s.Reason}";

    private static string Summary(Signal s)
    {
        var summary = $"Detected · {s.Describe()}: {(s.Text is { } text ? Messaging.Inbound.OneLine(text) : s.Reason)}";
        return summary.Length > RecoveryCase.MaxSummaryLength ? summary[..(RecoveryCase.MaxSummaryLength - 1)] + "…" : summary;
    }

    /// <summary>How sure the category model must be for a case it opens to take its category (its playbook with it) instead of Other.</summary>
    public const double CategoryConfidenceToUse = 0.6;

    /// <summary>The category the sentence model read in the signal when it is sure enough; Other (for a person to choose) when not, or not read yet.</summary>
    private static FailureCategory CategoryFor(Signal s) =>
        s is { SuggestedCategory: { } category, CategoryConfidence: >= CategoryConfidenceToUse } ? category : FailureCategory.Other;

    private static Severity SeverityFor(int risk) => risk switch
    {
        >= 90 => Severity.Critical,
        >= 75 => Severity.High,
        >= 45 => Severity.Medium,
        _ => Severity.Low,
    };

    /// <summary>Where to answer: the message's own channel, a review's site, else the customer's preferred way, e-mail or phone.</summary>
    private async Task<Channel> ChannelAsync(Signal s, CancellationToken ct)
    {
        if (s.Channel is { } channel)
        {
            return channel;
        }

        var customer = await db.Customers.AsNoTracking().Where(c => c.Id == s.CustomerId).Select(c => new { c.PreferredChannel, c.Email, c.Phone }).SingleAsync(ct);
        return UsualChannel(customer.PreferredChannel, customer.Email, customer.Phone);
    }

    /// <summary>The channel a case Amends opens for a customer starts on: the one they prefer, else e-mail, phone, the web.</summary>
    public static Channel UsualChannel(Channel? preferred, string? email, string? phone) =>
        preferred ?? (email is not null ? Channel.Email : phone is not null ? Channel.Phone : Channel.Web);

    /// <summary>A signal as stored now, with its case's number.</summary>
    public async Task<SignalResult> CurrentAsync(Signal s, CancellationToken ct)
    {
        string? number = null;
        if (s.CaseId is { } caseId)
        {
            number = CaseNumber.Format(await db.Cases.Where(c => c.Id == caseId).Select(c => c.Number).SingleAsync(ct));
        }

        return Result(s, number);
    }

    private static SignalResult Result(Signal s, string? caseNumber) =>
        new(s.Id, s.Action, s.CaseId?.Value, caseNumber, s.Cues, s.Risk, s.Reason, s.ModelScore ?? s.FastScore, s.ModelScore is null ? s.FastVersion : s.ModelVersion);

    private async Task<Dictionary<(string, string), SignalResult>> ExistingAsync(List<(string Source, string ExternalId)> keys, CancellationToken ct)
    {
        var found = new Dictionary<(string, string), SignalResult>();
        foreach (var group in keys.GroupBy(k => k.Source))
        {
            var ids = group.Select(k => k.ExternalId).ToList();
            var rows = await db.Signals.AsNoTracking().Where(s => s.Source == group.Key && ids.Contains(s.ExternalId))
                .Select(s => new { Signal = s, Number = s.CaseId == null ? (long?)null : db.Cases.Where(c => c.Id == s.CaseId).Select(c => (long?)c.Number).FirstOrDefault() })
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                found[(row.Signal.Source, row.Signal.ExternalId)] = Result(row.Signal, row.Number is { } n ? CaseNumber.Format(n) : null);
            }
        }

        return found;
    }

    private static (string, string) Key(SignalReport r) => (r.Source!.Trim().ToLowerInvariant(), r.ExternalId!.Trim());

    /// <summary>The request as a domain report, with every error: names that are not one, then the domain's rules for the rest.</summary>
    private static (SignalReport? Report, List<DomainError> Errors) Parse(SignalRequest r)
    {
        var errors = new List<DomainError>();
        var report = new SignalReport(
            r.Source, r.ExternalId, Name<SignalKind>(r.Kind, "kind", errors), r.OccurredAt,
            Name<SurveyType>(r.SurveyType, "surveyType", errors), r.Score, r.Rating, r.Site,
            Name<BehaviourEvent>(r.Event, "event", errors), r.Value, Name<Channel>(r.Channel, "channel", errors),
            r.Text, r.Product, r.Location, r.OrderReference);
        var named = errors.Select(e => e.Field).ToHashSet();
        errors.AddRange(Signal.Validate(report).Where(e => !named.Contains(e.Field)));
        if (report.Event == BehaviourEvent.PurchasesStopped && report.Source?.Trim().ToLowerInvariant() != ChurnWatch.Source)
        {
            errors.Add(DomainError.Invalid("signal.event_derived", "event", "PurchasesStopped is derived by Amends from OrderPlaced events: send those."));
        }

        return (errors.Count == 0 ? report : null, errors);
    }

    private static T? Name<T>(string? value, string field, List<DomainError> errors)
        where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (!char.IsAsciiDigit(text[0]) && text[0] != '-' && Enum.TryParse<T>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        errors.Add(DomainError.Invalid("request.invalid_value", field, $"{field} is one of {string.Join(", ", Enum.GetNames<T>())}."));
        return null;
    }
}
