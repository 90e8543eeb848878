using Amends.Domain.Playbooks;

namespace Amends.Domain.Remedies;

/// <summary>An entry of the remedy catalogue: a kind of remedy with the value it is usually given at.</summary>
public sealed class RemedyCatalogueItem
{
    public const int MaxNameLength = 100;

    private RemedyCatalogueItem()
    {
        Name = "";
        Currency = "";
    }

    public Guid Id { get; private set; }

    public RemedyType Type { get; private set; }

    public string Name { get; private set; }

    public long DefaultAmountMinor { get; private set; }

    public string Currency { get; private set; }

    public bool Active { get; private set; }

    public long Version { get; private set; }

    public static Common.Result<RemedyCatalogueItem> Create(RemedyType type, string? name, long amountMinor, string? currency)
    {
        var item = new RemedyCatalogueItem { Id = Guid.CreateVersion7(), Active = true };
        var error = item.Change(type, name, amountMinor, currency, true);
        return error is null ? Common.Result<RemedyCatalogueItem>.Ok(item) : error;
    }

    public Common.DomainError? Change(RemedyType type, string? name, long amountMinor, string? currency, bool active)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxNameLength)
        {
            return Common.DomainError.Invalid("catalogue.name_invalid", "name", $"Give a name of at most {MaxNameLength} characters.");
        }

        if (amountMinor < 0 || (type == RemedyType.ApologyOnly && amountMinor != 0))
        {
            return Common.DomainError.Invalid("catalogue.amount_invalid", "defaultAmountMinor", "The default value is zero or more (zero for an apology).");
        }

        if (!Common.Money.IsCurrencyCode(currency))
        {
            return Common.DomainError.Invalid("catalogue.currency_invalid", "currency", "Currency is a three-letter ISO 4217 code such as EUR.");
        }

        Type = type;
        Name = name.Trim();
        DefaultAmountMinor = amountMinor;
        Currency = currency!;
        Active = active;
        Version++;
        return null;
    }
}

/// <summary>What similar recovered cases received: the basis for a fair offer.</summary>
public sealed record FairnessGuidance(int Count, long? P10, long? P25, long? Median, long? P75, long? P90, string Currency, IReadOnlyList<RemedyTypeCount> CommonTypes)
{
    /// <summary>Fewer similar cases than this, and the spread says too little to ask anyone for a reason.</summary>
    public const int MinimumForOutliers = 5;

    public static FairnessGuidance From(IReadOnlyCollection<long> values, IEnumerable<RemedyType> types, string currency)
    {
        var sorted = values.Order().ToArray();
        var common = types.GroupBy(t => t).Select(g => new RemedyTypeCount(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Type).Take(3).ToList();
        return sorted.Length == 0
            ? new FairnessGuidance(0, null, null, null, null, null, currency, common)
            : new FairnessGuidance(sorted.Length, Percentile(sorted, 0.10), Percentile(sorted, 0.25), Percentile(sorted, 0.50),
                Percentile(sorted, 0.75), Percentile(sorted, 0.90), currency, common);
    }

    /// <summary>Whether a value is below p10 or above p90 of enough similar cases, and so needs a reason.</summary>
    public bool IsOutlier(long amountMinor) =>
        Count >= MinimumForOutliers && (amountMinor < P10 || amountMinor > P90);

    /// <summary>Nearest-rank percentile on whole minor units (no floating point in the value itself).</summary>
    public static long Percentile(long[] sorted, double q)
    {
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

public sealed record RemedyTypeCount(RemedyType Type, int Count);
