using System.ComponentModel;
using System.Text.Json;
using Amends.Domain.Signals;

namespace Amends.Web.Features.Signals;

/// <summary>Who a signal is about: matched by external id, then e-mail, then phone; created when none matches.</summary>
public sealed record SignalCustomer(
    [property: Description("The business's own id for the customer (CRM, shop); matched first")] string? ExternalId = null,
    string? Email = null,
    string? Phone = null,
    [property: Description("Used when the customer is new; their e-mail or phone otherwise")] string? Name = null)
{
    /// <summary>Amends' own id of the customer, for the signals it derives itself (never read from a request).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Amends.Domain.Common.CustomerId? Known { get; init; }
}

/// <summary>
/// A signal as a source sends it. Names of kinds and events are strings here, checked per item, so one bad item of a
/// batch is reported on its own instead of failing the whole batch.
/// </summary>
public sealed record SignalRequest(
    [property: Description("The system that observed it (\"survey-tool\", \"shop\"); with externalId it identifies the signal")] string? Source,
    [property: Description("The source's own id for it: sending it again is a replay")] string? ExternalId,
    [property: Description("Survey, Message, Review or Behaviour")] string? Kind,
    [property: Description("When it happened, with its offset")] DateTimeOffset? OccurredAt,
    SignalCustomer? Customer,
    [property: Description("Survey: Nps (0–10), Csat (1–5) or Ces (1–7)")] string? SurveyType = null,
    [property: Description("Survey: the score on its type's scale")] int? Score = null,
    [property: Description("Review: stars, 1–5")] int? Rating = null,
    [property: Description("Review: where it was posted, shown as given")] string? Site = null,
    [property: Description("Behaviour: OrderPlaced, OrderCancelled, DeliveryLate, PaymentFailed, Contact, UsageDropped or SubscriptionCancelled")] string? Event = null,
    [property: Description("Behaviour: a measure of the event (an order's value, days late, a usage level)")] decimal? Value = null,
    [property: Description("Message: the channel it came on (Email, Chat, Sms, Social, Phone, Web); Web when absent")] string? Channel = null,
    [property: Description("What the customer wrote: the message, the survey comment, the review")] string? Text = null,
    string? Product = null,
    string? Location = null,
    string? OrderReference = null);

/// <summary>What became of a signal: the action detection took, the case it opened or went onto, and why.</summary>
public sealed record SignalResult(
    Guid SignalId,
    SignalAction Action,
    Guid? CaseId,
    string? CaseNumber,
    IReadOnlyList<Cue> Cues,
    int Risk,
    string? Reason,
    [property: Description("The text's score (0–1): the sentence model's once it has read it, the fast model's before")] double? Score,
    [property: Description("The version of the model that made score")] string? ModelVersion,
    bool Replayed = false);

public sealed record SignalBatchRequest(
    [property: Description("Up to 1,000 signals; each is checked and stored on its own")] List<JsonElement>? Items);

/// <summary>One item of a batch: <c>Stored</c>, <c>Replayed</c> (stored before) or <c>Invalid</c> with its field errors.</summary>
public sealed record SignalBatchItem(
    int Index,
    string Status,
    Guid? SignalId = null,
    SignalAction? Action = null,
    Guid? CaseId = null,
    IDictionary<string, string[]>? Errors = null);

public sealed record SignalBatchResult(IReadOnlyList<SignalBatchItem> Results, int Stored, int Replayed, int Invalid);

/// <summary>A stored signal as the customer's page and the API show it.</summary>
public sealed record SignalDto(
    Guid Id,
    string Source,
    string ExternalId,
    SignalKind Kind,
    [property: Description("What it was, in a few words: \"NPS 2\", \"1-star review on Trustpilot\", \"Late delivery\"")] string Description,
    DateTime OccurredAt,
    DateTime ReceivedAt,
    Guid CustomerId,
    SurveyType? SurveyType,
    int? Score,
    int? Rating,
    string? Site,
    BehaviourEvent? Event,
    decimal? Value,
    Amends.Domain.Common.Channel? Channel,
    string? Text,
    string? Product,
    string? Location,
    string? OrderReference,
    IReadOnlyList<Cue> Cues,
    [property: Description("The fast model's score at ingest (0–1, higher is more dissatisfied)")] double? FastScore,
    string? FastVersion,
    [property: Description("The sentence model's score, once it has read the text in the background; null until then")] double? ModelScore,
    string? ModelVersion,
    [property: Description("The failure category the sentence model reads in the text, a suggestion; null until it has read it")] Amends.Domain.Cases.FailureCategory? SuggestedCategory,
    [property: Description("How sure the category model is (0–1)")] double? CategoryConfidence,
    int Risk,
    string? Reason,
    SignalAction Action,
    Guid? CaseId)
{
    public static SignalDto From(Signal s) => new(
        s.Id, s.Source, s.ExternalId, s.Kind, s.Describe(), s.OccurredAt, s.ReceivedAt, s.CustomerId.Value, s.SurveyType, s.Score, s.Rating, s.Site,
        s.Event, s.Value, s.Channel, s.Text, s.Product, s.Location, s.OrderReference, s.Cues, s.FastScore, s.FastVersion, s.ModelScore, s.ModelVersion, s.SuggestedCategory, s.CategoryConfidence,
        s.Risk, s.Reason, s.Action, s.CaseId?.Value);
}

/// <summary>The <c>Amends:Detection</c> section: when a signal's risk (0–100) acts.</summary>
public sealed class DetectionOptions
{
    /// <summary>A risk at or above this opens a case for a customer with none open.</summary>
    public int OpenCaseAt { get; set; } = 60;

    /// <summary>A risk at or above this goes onto the customer's open case.</summary>
    public int AttachAt { get; set; } = 30;

    /// <summary>
    /// <c>Sentence</c> (the default): the sentence model reads every text in the background after the fast model's
    /// score at ingest, and scores <c>/api/detection/score</c>. <c>Fast</c>: the fast model alone (no model in memory).
    /// </summary>
    public DetectionModel Model { get; set; } = DetectionModel.Sentence;

    /// <summary>Texts the background model reads in one claim.</summary>
    public int ModelBatch { get; set; } = 64;

    /// <summary>Readiness turns Degraded when more texts than this wait for the model.</summary>
    public int MaxBacklog { get; set; } = 10_000;

    /// <summary>Incidents: the window of negative signals the chart reads, in hours, against the same window of earlier weeks.</summary>
    public double IncidentWindowHours { get; set; } = 6;

    /// <summary>Incidents: a signal counts as negative from this risk (a late delivery is 25, a failed payment 15).</summary>
    public int IncidentRisk { get; set; } = 20;

    /// <summary>Incidents: how many earlier weeks make the baseline.</summary>
    public int IncidentWeeks { get; set; } = 4;

    /// <summary>Incidents: the chart alarms when so many customers would come by chance with at most this probability.</summary>
    public double IncidentAlpha { get; set; } = SpikeChart.DefaultAlpha;

    /// <summary>Incidents: fewer customers hit than this in the window is never an incident.</summary>
    public int IncidentMinCustomers { get; set; } = SpikeChart.DefaultMinCount;

    /// <summary>Incidents: how often each instance looks, in minutes.</summary>
    public double IncidentCheckMinutes { get; set; } = 10;

    /// <summary>Incidents: one with no new affected customer for this many hours closes itself.</summary>
    public double IncidentQuietHours { get; set; } = 48;

    /// <summary>Purchases: a customer of at least <see cref="ChurnMinOrders"/> orders whose BG/NBD probability of still being active falls below this gets a risk signal.</summary>
    public double ChurnBelow { get; set; } = 0.3;

    /// <summary>Purchases: only customers with at least this many orders are judged (a regular rhythm to depart from).</summary>
    public int ChurnMinOrders { get; set; } = 3;

    /// <summary>Purchases: how often the model is fitted again and every customer judged, in hours.</summary>
    public double ChurnCheckHours { get; set; } = 24;
}

public enum DetectionModel
{
    Sentence,
    Fast,
}

public sealed record ScoreRequest([property: Description("The text to read: a message, a comment, a review")] string? Text);

/// <summary>How dissatisfied a text reads: 0–1 (higher is more), a label, the rule cues in it, and which model read it.</summary>
public sealed record ScoreResult(
    [property: Description("0–1, higher is more dissatisfied: the sentence model's, or the fast model's when Amends:Detection:Model is Fast")] double Score,
    [property: Description("Dissatisfied (0.7 or more), Unclear (0.5 or more) or Satisfied")] string Label,
    IReadOnlyList<Cue> Cues,
    string ModelVersion,
    [property: Description("The fast model's score of the same text, as ingestion gives it")] double FastScore,
    [property: Description("The failure category the text most likely describes (the sentence model's; null when Amends:Detection:Model is Fast)")] Amends.Domain.Cases.FailureCategory? Category = null,
    [property: Description("How sure the category model is (0–1); a case detection opens takes the category from 0.6")] double? CategoryConfidence = null);

/// <summary>How detection keeps up: the texts waiting for the sentence model, the models in use and the risk thresholds.</summary>
public sealed record DetectionStatus(
    [property: Description("Texts waiting for the sentence model (counted up to 100,000)")] int Backlog,
    [property: Description("True when more than 100,000 wait")] bool BacklogMore,
    DateTime? OldestWaitingSince,
    [property: Description("How long the oldest waiting text has waited, in seconds")] double? OldestWaitingSeconds,
    [property: Description("Readiness turns Degraded past this many (Amends:Detection:MaxBacklog)")] int MaxBacklog,
    DetectionModel Model,
    [property: Description("Whether the sentence model is in this instance's memory yet (it loads on first use)")] bool ModelLoaded,
    string ModelVersion,
    string FastModelVersion,
    int OpenCaseAt,
    int AttachAt,
    [property: Description("Detected cases agents confirmed (the customer was unhappy)")] int Confirmed = 0,
    [property: Description("Detected cases agents said were not a problem")] int NotAProblem = 0,
    [property: Description("Detected cases nobody has judged yet")] int Unjudged = 0);
