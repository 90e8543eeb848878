using Amends.Domain.Signals;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Signals;

/// <summary>What one look at the customers' purchases found: the fitted model, how many were judged and flagged.</summary>
public sealed record ChurnCheck(
    [property: System.ComponentModel.Description("Customers with at least one OrderPlaced event")] int Customers,
    [property: System.ComponentModel.Description("False when too few bought twice to fit the model (nothing is judged)")] bool Fitted,
    [property: System.ComponentModel.Description("Customers with enough orders to be judged (Amends:Detection:ChurnMinOrders)")] int Judged,
    [property: System.ComponentModel.Description("Judged customers below Amends:Detection:ChurnBelow")] int Flagged,
    [property: System.ComponentModel.Description("PurchasesStopped signals stored by this look (a customer already flagged for the same last order is not flagged twice)")] int Stored,
    [property: System.ComponentModel.Description("The BG/NBD parameters fitted: r, alpha (purchase rate), a, b (drop-out)")] BgNbd? Model);

/// <summary>
/// Notices regular buyers who have stopped: fits the BG/NBD model on the organisation's <c>OrderPlaced</c> events and
/// stores a <c>PurchasesStopped</c> behaviour signal (source <c>amends</c>, its value the probability that the customer is
/// still active) for each customer of at least <c>ChurnMinOrders</c> orders whose probability fell below
/// <c>ChurnBelow</c>. The signal goes through the intake like any other: its cue and risk, and a case when the risk is
/// high enough (a valuable customer). One signal per customer and last order: the same silence is not flagged twice.
/// </summary>
public sealed class ChurnWatch(IServiceScopeFactory scopes, TimeProvider time, IOptionsMonitor<DetectionOptions> options, ILogger<ChurnWatch> logger)
{
    /// <summary>The source of the signals Amends derives itself.</summary>
    public const string Source = "amends";

    private const int Batch = 500;

    public async Task<ChurnCheck> CheckAsync(CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var orders = await db.Signals.AsNoTracking().Where(s => s.Event == BehaviourEvent.OrderPlaced)
            .GroupBy(s => s.CustomerId)
            .Select(g => new { CustomerId = g.Key, Orders = g.Count(), First = g.Min(s => s.OccurredAt), Last = g.Max(s => s.OccurredAt) })
            .ToListAsync(ct);
        var histories = orders.Select(o => PurchaseHistory.From(o.Orders, o.First, o.Last, now.UtcDateTime)).ToList();
        var model = BgNbd.Fit(histories);
        if (model is null)
        {
            return new ChurnCheck(orders.Count, false, 0, 0, 0, null);
        }

        var judged = 0;
        var flagged = new List<SignalRequest>();
        for (var i = 0; i < orders.Count; i++)
        {
            if (orders[i].Orders < settings.ChurnMinOrders)
            {
                continue;
            }

            judged++;
            var alive = model.ProbabilityAlive(histories[i]);
            if (alive < settings.ChurnBelow)
            {
                flagged.Add(new SignalRequest(Source, $"purchases-stopped:{orders[i].CustomerId.Value:N}:{orders[i].Last:yyyyMMddHHmmss}", nameof(SignalKind.Behaviour), now,
                    new SignalCustomer { Known = orders[i].CustomerId }, Event: nameof(BehaviourEvent.PurchasesStopped), Value: Math.Round((decimal)alive, 2)));
            }
        }

        var stored = 0;
        var intake = scope.ServiceProvider.GetRequiredService<SignalIntake>();
        foreach (var chunk in flagged.Chunk(Batch))
        {
            stored += (await intake.IngestAsync(chunk, ct, actNow: false)).Count(o => o.Result is { Replayed: false });
            db.ChangeTracker.Clear();
        }

        if (stored > 0)
        {
            logger.LogInformation("Purchases: {Stored} regular buyers have stopped (of {Judged} judged; BG/NBD {Model})", stored, judged, model);
        }

        return new ChurnCheck(orders.Count, true, judged, flagged.Count, stored, model);
    }
}

/// <summary>
/// Looks for incidents every <c>IncidentCheckMinutes</c> and judges purchases every <c>ChurnCheckHours</c> (the first
/// time a minute after start). Off when <c>Amends:Jobs:Enabled</c> is false; a failure is logged and tried at the next turn.
/// </summary>
internal sealed class BehaviourWorker(IncidentWatch incidents, ChurnWatch churn, IOptionsMonitor<DetectionOptions> options, IConfiguration configuration,
    TimeProvider time, ILogger<BehaviourWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Amends:Jobs:Enabled", true))
        {
            return;
        }

        var nextChurn = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(Math.Max(0.1, options.CurrentValue.IncidentCheckMinutes)), time, stoppingToken);
                await incidents.CheckAsync(stoppingToken);
                if (time.GetUtcNow() >= nextChurn)
                {
                    nextChurn = time.GetUtcNow() + TimeSpan.FromHours(Math.Max(0.1, options.CurrentValue.ChurnCheckHours));
                    await churn.CheckAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Behaviour detection failed; trying again at the next turn");
            }
        }
    }
}
