using System.Globalization;
using Amends.Domain.Cases;
using Amends.Domain.Common;

namespace Amends.Domain.Signals;

/// <summary>What an incident is about: the failure category the texts read as, the product named, or the location.</summary>
public enum IncidentDimension
{
    Category,
    Product,
    Location,
}

public enum IncidentStatus
{
    Open,
    Closed,
}

/// <summary>
/// Many customers hit by the same failure at once: more negative signals about one category, product or location than
/// its own past says to expect (<see cref="SpikeChart"/>). It lists its affected customers, and from it a supervisor
/// opens a case for each or sends them all a message, before most of them complain.
/// </summary>
public sealed class Incident
{
    public const int MaxKeyLength = Signal.MaxReferenceLength;
    public const int MaxNameLength = 200;

    private Incident()
    {
        Key = "";
    }

    public Guid Id { get; private set; }

    public IncidentDimension Dimension { get; private set; }

    /// <summary>The category's code, or the product or location as the signals name it.</summary>
    public string Key { get; private set; }

    public IncidentStatus Status { get; private set; }

    /// <summary>When the chart alarmed (UTC).</summary>
    public DateTime OpenedAt { get; private set; }

    /// <summary>Where the window that alarmed starts: the affected customers are those hit since.</summary>
    public DateTime WindowStart { get; private set; }

    /// <summary>Customers hit in the window that alarmed, and what the same window of earlier weeks had on average.</summary>
    public int Observed { get; private set; }

    public double Expected { get; private set; }

    /// <summary>How likely so many would come by chance (the chart's tail probability).</summary>
    public double PValue { get; private set; }

    /// <summary>How many customers it lists now, kept as they are added.</summary>
    public int Affected { get; private set; }

    /// <summary>When the newest affected customer's signal happened (UTC).</summary>
    public DateTime LastSignalAt { get; private set; }

    public DateTime? CasesOpenedAt { get; private set; }

    public string? CasesOpenedBy { get; private set; }

    public DateTime? MessagedAt { get; private set; }

    public string? MessagedBy { get; private set; }

    public DateTime? ClosedAt { get; private set; }

    public string? ClosedBy { get; private set; }

    /// <summary>Bumped by every change a person makes; their actions are checked against it.</summary>
    public long Version { get; private set; }

    public static Incident Open(IncidentDimension dimension, string key, SpikeReading reading, DateTime windowStart, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Dimension = dimension,
        Key = key.Length > MaxKeyLength ? key[..MaxKeyLength] : key,
        Status = IncidentStatus.Open,
        OpenedAt = now.UtcDateTime,
        WindowStart = windowStart,
        Observed = reading.Observed,
        Expected = reading.Expected,
        PValue = reading.PValue,
        LastSignalAt = windowStart,
        Version = 1,
    };

    /// <summary>In words: "Delivery late", "Product "Kettle K2"", "Location "Leeds"".</summary>
    public string Title => Dimension switch
    {
        IncidentDimension.Category => Enum.TryParse<FailureCategory>(Key, out var category) ? FailureCategories.Label(category) : Key,
        IncidentDimension.Product => $"Product \"{Key}\"",
        _ => $"Location \"{Key}\"",
    };

    /// <summary>Why it was opened, in one sentence a person understands.</summary>
    public string Reason => string.Create(CultureInfo.InvariantCulture,
        $"{Observed} customers had a problem {About} in {Hours(OpenedAt - WindowStart)}, where {Expected:0.#} is usual at that time of the week (so many by chance: {Chance(PValue)}).");

    private string About => Dimension switch
    {
        IncidentDimension.Category => $"that reads as \"{Title.ToLowerInvariant()}\"",
        IncidentDimension.Product => $"with the product \"{Key}\"",
        _ => $"in \"{Key}\"",
    };

    private static string Hours(TimeSpan span) => Math.Round(span.TotalHours) is var h && h == 1 ? "an hour" : string.Create(CultureInfo.InvariantCulture, $"{h:0} hours");

    private static string Chance(double p) => p < 1e-6 ? "less than one in a million" : string.Create(CultureInfo.InvariantCulture, $"one in {Math.Round(1 / p):N0}");

    /// <summary>Customers added (their count) and the newest signal among them.</summary>
    public void Saw(int added, DateTime lastSignalAt)
    {
        Affected += added;
        if (lastSignalAt > LastSignalAt)
        {
            LastSignalAt = lastSignalAt;
        }
    }

    public DomainError? RecordCasesOpened(string by, DateTimeOffset now) => Act(() =>
    {
        CasesOpenedAt = now.UtcDateTime;
        CasesOpenedBy = by;
    });

    public DomainError? RecordMessaged(string by, DateTimeOffset now) => Act(() =>
    {
        MessagedAt = now.UtcDateTime;
        MessagedBy = by;
    });

    /// <summary>Closed by a person, or by Amends when it has been quiet long enough.</summary>
    public DomainError? Close(string by, DateTimeOffset now) => Act(() =>
    {
        Status = IncidentStatus.Closed;
        ClosedAt = now.UtcDateTime;
        ClosedBy = by;
    });

    private DomainError? Act(Action change)
    {
        if (Status == IncidentStatus.Closed)
        {
            return DomainError.Conflict("incident.closed", "This incident is closed.");
        }

        change();
        Version++;
        return null;
    }
}

/// <summary>One customer an incident hit: the first of their signals that counted, and what was done for them.</summary>
public sealed class IncidentCustomer
{
    private IncidentCustomer()
    {
    }

    public Guid IncidentId { get; private set; }

    public CustomerId CustomerId { get; private set; }

    public Guid FirstSignalId { get; private set; }

    public DateTime FirstSignalAt { get; private set; }

    /// <summary>The case opened for them from the incident, when one was.</summary>
    public CaseId? CaseId { get; private set; }

    /// <summary>When the incident's message to them was queued.</summary>
    public DateTime? MessagedAt { get; private set; }

    public static IncidentCustomer Hit(Guid incidentId, CustomerId customerId, Guid signalId, DateTime at) => new()
    {
        IncidentId = incidentId, CustomerId = customerId, FirstSignalId = signalId, FirstSignalAt = at,
    };

    public void CaseOpened(CaseId caseId) => CaseId = caseId;

    public void Messaged(DateTimeOffset now) => MessagedAt = now.UtcDateTime;
}
