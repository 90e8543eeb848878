using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Signals;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Signals;

/// <summary>What one look for incidents found.</summary>
public sealed record IncidentCheck(
    [property: System.ComponentModel.Description("Incidents opened by this look")] int Opened,
    [property: System.ComponentModel.Description("Customers added to open incidents")] int CustomersAdded,
    [property: System.ComponentModel.Description("Incidents closed as quiet")] int Closed,
    [property: System.ComponentModel.Description("Categories, products and locations read against their past")] int KeysRead);

/// <summary>
/// Looks for incidents: counts the customers with a negative signal (risk at or above <c>IncidentRisk</c>) per failure
/// category the texts read as, per product and per location, in the last window, and reads each count against the
/// same window of the earlier weeks (<see cref="SpikeChart"/>). A spike opens an incident listing the customers it hit;
/// an open one gathers the customers hit since, and closes itself when it has been quiet long enough. Several instances
/// may look at once: one open incident per thing is kept by a unique index, and a lost race waits for the next look.
/// </summary>
public sealed class IncidentWatch(IServiceScopeFactory scopes, TimeProvider time, IOptionsMonitor<DetectionOptions> options, ILogger<IncidentWatch> logger)
{
    /// <summary>A category reads as one only when the category model is at least this sure, as for a case it opens.</summary>
    public const double CategoryConfidence = SignalIntake.CategoryConfidenceToUse;

    /// <summary>At most this many signals of one open incident are read per look (the newest are the ones that add customers).</summary>
    private const int MaxSignalsPerIncident = 50_000;

    private sealed record Hit(Guid SignalId, CustomerId CustomerId, DateTime OccurredAt, string? Product, string? Location, FailureCategory? Category, double? Confidence);

    public async Task<IncidentCheck> CheckAsync(CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        var window = TimeSpan.FromHours(settings.IncidentWindowHours);
        var chart = new SpikeChart(settings.IncidentAlpha, settings.IncidentMinCustomers);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();

        // This window and the same one in each earlier week, counted by distinct customer per thing.
        var current = await HitsAsync(db, now.UtcDateTime - window, now.UtcDateTime, settings.IncidentRisk, ct);
        var byKey = Group(current);
        var candidates = byKey.Where(k => k.Value.Count >= chart.MinCount).ToList();
        var opened = 0;
        if (candidates.Count > 0)
        {
            var earlier = new List<Dictionary<(IncidentDimension, string), Dictionary<CustomerId, Hit>>>();
            for (var week = 1; week <= settings.IncidentWeeks; week++)
            {
                var to = now.UtcDateTime - TimeSpan.FromDays(7 * week);
                earlier.Add(Group(await HitsAsync(db, to - window, to, settings.IncidentRisk, ct)));
            }

            // One open already, or closed within the window (its customers are still in it: closing must not open it again).
            var closedSince = now.UtcDateTime - window;
            var open = (await db.Incidents.AsNoTracking().Where(i => i.Status == IncidentStatus.Open || i.ClosedAt >= closedSince)
                    .Select(i => new { i.Dimension, i.Key }).ToListAsync(ct))
                .Select(i => (i.Dimension, i.Key)).ToHashSet();
            foreach (var (key, customers) in candidates.Where(c => !open.Contains(c.Key)))
            {
                var reading = chart.Read(customers.Count, [.. earlier.Select(w => w.TryGetValue(key, out var past) ? past.Count : 0)]);
                if (!reading.Alarm)
                {
                    continue;
                }

                var incident = Incident.Open(key.Item1, key.Item2, reading, now.UtcDateTime - window, now);
                db.Incidents.Add(incident);
                AddCustomers(db, incident, customers.Values, []);
                try
                {
                    await db.SaveChangesAsync(ct);
                    opened++;
                    logger.LogWarning("Incident {IncidentId} opened: {Reason}", incident.Id, incident.Reason);
                }
                catch (DbUpdateException e)
                {
                    // Another instance opened it first: it gathers the customers from now on.
                    logger.LogInformation(e, "Incident for {Dimension} {Key} was opened by another instance", key.Item1, key.Item2);
                    db.ChangeTracker.Clear();
                }
            }
        }

        var (added, closed) = await UpdateOpenAsync(db, settings, now, ct);
        return new IncidentCheck(opened, added, closed, byKey.Count);
    }

    /// <summary>Adds the customers hit since each open incident began, and closes those quiet for <c>IncidentQuietHours</c>.</summary>
    private async Task<(int Added, int Closed)> UpdateOpenAsync(AmendsDbContext db, DetectionOptions settings, DateTimeOffset now, CancellationToken ct)
    {
        var added = 0;
        var closed = 0;
        foreach (var incident in await db.Incidents.Where(i => i.Status == IncidentStatus.Open).ToListAsync(ct))
        {
            var hits = Matching(db.Signals.AsNoTracking().Where(s => s.OccurredAt >= incident.WindowStart && s.Risk >= settings.IncidentRisk), incident)
                .OrderByDescending(s => s.OccurredAt).Take(MaxSignalsPerIncident)
                .Select(s => new Hit(s.Id, s.CustomerId, s.OccurredAt, s.Product, s.Location, s.SuggestedCategory, s.CategoryConfidence)).ToListAsync(ct);
            var firsts = (await hits).GroupBy(h => h.CustomerId).Select(g => g.MinBy(h => h.OccurredAt)!).ToList();
            var known = (await db.IncidentCustomers.Where(c => c.IncidentId == incident.Id).Select(c => c.CustomerId).ToListAsync(ct)).ToHashSet();
            var count = AddCustomers(db, incident, firsts, known);
            added += count;
            if (count == 0 && now.UtcDateTime - incident.LastSignalAt > TimeSpan.FromHours(settings.IncidentQuietHours))
            {
                incident.Close($"Amends (quiet for {settings.IncidentQuietHours:0} hours)", now);
                closed++;
            }

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e)
            {
                // Another instance added the same customers at the same moment: the next look sees them.
                logger.LogInformation(e, "Incident {IncidentId}: customers added by another instance", incident.Id);
                db.ChangeTracker.Clear();
            }
        }

        return (added, closed);
    }

    private static int AddCustomers(AmendsDbContext db, Incident incident, IEnumerable<Hit> hits, HashSet<CustomerId> known)
    {
        var fresh = hits.Where(h => !known.Contains(h.CustomerId)).ToList();
        foreach (var hit in fresh)
        {
            db.IncidentCustomers.Add(IncidentCustomer.Hit(incident.Id, hit.CustomerId, hit.SignalId, hit.OccurredAt));
        }

        if (fresh.Count > 0)
        {
            incident.Saw(fresh.Count, fresh.Max(h => h.OccurredAt));
        }

        return fresh.Count;
    }

    /// <summary>The signals an incident is about: its category read with confidence, its product, or its location.</summary>
    public static IQueryable<Signal> Matching(IQueryable<Signal> signals, Incident incident)
    {
        var key = incident.Key;
        switch (incident.Dimension)
        {
            case IncidentDimension.Product:
                return signals.Where(s => s.Product == key);
            case IncidentDimension.Location:
                return signals.Where(s => s.Location == key);
            default:
                var category = Enum.Parse<FailureCategory>(key);
                return signals.Where(s => s.SuggestedCategory == category && s.CategoryConfidence >= CategoryConfidence);
        }
    }

    private static Task<List<Hit>> HitsAsync(AmendsDbContext db, DateTime from, DateTime to, int attachAt, CancellationToken ct) =>
        db.Signals.AsNoTracking().Where(s => s.OccurredAt >= from && s.OccurredAt < to && s.Risk >= attachAt)
            .Select(s => new Hit(s.Id, s.CustomerId, s.OccurredAt, s.Product, s.Location, s.SuggestedCategory, s.CategoryConfidence)).ToListAsync(ct);

    /// <summary>Per thing, each customer hit with their first signal in the window.</summary>
    private static Dictionary<(IncidentDimension, string), Dictionary<CustomerId, Hit>> Group(List<Hit> hits)
    {
        var result = new Dictionary<(IncidentDimension, string), Dictionary<CustomerId, Hit>>();
        foreach (var hit in hits.OrderBy(h => h.OccurredAt))
        {
            if (hit.Category is { } category && category != FailureCategory.Other && hit.Confidence >= CategoryConfidence)
            {
                Add((IncidentDimension.Category, category.ToString()), hit);
            }

            if (!string.IsNullOrWhiteSpace(hit.Product))
            {
                Add((IncidentDimension.Product, hit.Product), hit);
            }

            if (!string.IsNullOrWhiteSpace(hit.Location))
            {
                Add((IncidentDimension.Location, hit.Location), hit);
            }
        }

        return result;

        void Add((IncidentDimension, string) key, Hit hit)
        {
            if (!result.TryGetValue(key, out var customers))
            {
                result[key] = customers = [];
            }

            customers.TryAdd(hit.CustomerId, hit);
        }
    }
}
