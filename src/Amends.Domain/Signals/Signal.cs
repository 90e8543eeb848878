using Amends.Domain.Common;
using Amends.Domain.Customers;

namespace Amends.Domain.Signals;

/// <summary>What was observed: a survey answer, a message, a public review, or something the customer did.</summary>
public enum SignalKind
{
    Survey,
    Message,
    Review,
    Behaviour,
}

public enum SurveyType
{
    /// <summary>Net Promoter Score: 0–10, detractors 0–6.</summary>
    Nps,

    /// <summary>Customer satisfaction: 1–5, dissatisfied 1–2.</summary>
    Csat,

    /// <summary>Customer effort: 1–7, higher is harder; 5 or more is a bad experience.</summary>
    Ces,
}

public enum BehaviourEvent
{
    OrderPlaced,
    OrderCancelled,
    DeliveryLate,
    PaymentFailed,
    Contact,
    UsageDropped,
    SubscriptionCancelled,

    /// <summary>Derived by Amends: a regular buyer's purchases stopped (BG/NBD); its value is the probability they are still active.</summary>
    PurchasesStopped,
}

/// <summary>What detection did with a signal.</summary>
public enum SignalAction
{
    /// <summary>It opened a recovery case.</summary>
    Opened,

    /// <summary>It went onto the customer's open case.</summary>
    Attached,

    /// <summary>Nothing to act on.</summary>
    None,

    /// <summary>Risky enough to act on, and the action has not been taken yet (it follows in the background).</summary>
    Pending,
}

/// <summary>One reason detection saw in a signal, with a stable code and words an agent understands.</summary>
public sealed record Cue(string Code, string Text);

/// <summary>
/// Something observed about a customer, as the source reported it. What was observed never changes (erasure at the
/// customer's request aside, which blanks what they wrote); detection adds its
/// findings (cues, scores, risk) and what it did (<see cref="Action"/>, <see cref="CaseId"/>). Stored once per
/// (<see cref="Source"/>, <see cref="ExternalId"/>).
/// </summary>
public sealed class Signal
{
    public const int MaxTextLength = Cases.RecoveryCase.MaxTextLength;
    public const int MaxSourceLength = 64;
    public const int MaxExternalIdLength = 300;
    public const int MaxReferenceLength = 200;

    private Signal()
    {
        Source = ExternalId = "";
    }

    public Guid Id { get; private set; }

    /// <summary>Which system reported it ("survey-tool", "shop"), lower-cased.</summary>
    public string Source { get; private set; }

    /// <summary>The source's own id for it: a second report with the same id is the same signal.</summary>
    public string ExternalId { get; private set; }

    public SignalKind Kind { get; private set; }

    /// <summary>When it happened (UTC), as the source says.</summary>
    public DateTime OccurredAt { get; private set; }

    /// <summary>When Amends received it (UTC).</summary>
    public DateTime ReceivedAt { get; private set; }

    public CustomerId CustomerId { get; private set; }

    public SurveyType? SurveyType { get; private set; }

    /// <summary>The survey score, on its type's scale.</summary>
    public int? Score { get; private set; }

    /// <summary>A review's stars, 1–5.</summary>
    public int? Rating { get; private set; }

    /// <summary>Where a review was posted, as given.</summary>
    public string? Site { get; private set; }

    public BehaviourEvent? Event { get; private set; }

    /// <summary>A behaviour event's measure, as the source gives it (an order's value, days late, a usage level).</summary>
    public decimal? Value { get; private set; }

    /// <summary>For a message: the channel it came on.</summary>
    public Channel? Channel { get; private set; }

    /// <summary>What the customer wrote: the message, the survey comment, the review.</summary>
    public string? Text { get; private set; }

    public string? Product { get; private set; }

    public string? Location { get; private set; }

    public string? OrderReference { get; private set; }

    public IReadOnlyList<Cue> Cues { get; private set; } = [];

    /// <summary>The cheap score taken at ingest (0–1, higher is more dissatisfied); null without text.</summary>
    public double? FastScore { get; private set; }

    /// <summary>The model's score, when it has read the text (0–1).</summary>
    public double? ModelScore { get; private set; }

    /// <summary>The version of the model that made <see cref="ModelScore"/>; null until it has.</summary>
    public string? ModelVersion { get; private set; }

    /// <summary>The failure category the sentence model reads in the text, a suggestion for the agent; null until it has read it.</summary>
    public Cases.FailureCategory? SuggestedCategory { get; private set; }

    /// <summary>How sure the category model is of <see cref="SuggestedCategory"/> (0–1).</summary>
    public double? CategoryConfidence { get; private set; }

    /// <summary>The version of the fast model that made <see cref="FastScore"/>.</summary>
    public string? FastVersion { get; private set; }

    /// <summary>
    /// What the risk was taken from besides the signal, as it was at ingest (the customer's tier, a recent failure, their
    /// contacts that week): when the model's score arrives the risk is taken again from the same facts.
    /// </summary>
    public ValueTier CustomerTier { get; private set; }

    public bool RepeatFailure { get; private set; }

    public int RecentContacts { get; private set; }

    /// <summary>Their contacts in the 91 days before those 7: their own usual rate.</summary>
    public int PriorContacts { get; private set; }

    public RiskContext Context => new(CustomerTier, RepeatFailure, RecentContacts, PriorContacts);

    /// <summary>The claim (one per batch claimed, never shared) that holds it for the model to read, until when (UTC): a lapsed claim is taken over, so a crash loses nothing.</summary>
    public Guid? ModelLeaseOwner { get; private set; }

    public DateTime? ModelLeaseUntil { get; private set; }

    /// <summary>Waits for the model: it has text, the model has not read it yet.</summary>
    public bool AwaitsModel => Text is not null && ModelScore is null;

    /// <summary>0–100: how likely this customer is to leave unhappy unless someone acts.</summary>
    public int Risk { get; private set; }

    /// <summary>The reason for the risk in one sentence a person understands.</summary>
    public string? Reason { get; private set; }

    public SignalAction Action { get; private set; } = SignalAction.None;

    public CaseId? CaseId { get; private set; }

    /// <summary>When detection last decided what to do with it (UTC).</summary>
    public DateTime? DecidedAt { get; private set; }

    public bool HasText => Text is not null;

    /// <summary>Builds a signal from a report that <see cref="Validate"/> found nothing wrong with.</summary>
    public static Signal Create(SignalReport report, CustomerId customerId, DateTimeOffset now)
    {
        if (Validate(report) is [var first, ..])
        {
            throw new ArgumentException(first.Message, nameof(report));
        }

        return new Signal
        {
            Id = Guid.CreateVersion7(now),
            Source = report.Source!.Trim().ToLowerInvariant(),
            ExternalId = report.ExternalId!.Trim(),
            Kind = report.Kind!.Value,
            OccurredAt = report.OccurredAt!.Value.UtcDateTime,
            ReceivedAt = now.UtcDateTime,
            CustomerId = customerId,
            SurveyType = report.Kind == SignalKind.Survey ? report.SurveyType : null,
            Score = report.Kind == SignalKind.Survey ? report.Score : null,
            Rating = report.Kind == SignalKind.Review ? report.Rating : null,
            Site = report.Kind == SignalKind.Review ? Trimmed(report.Site) : null,
            Event = report.Kind == SignalKind.Behaviour ? report.Event : null,
            Value = report.Kind == SignalKind.Behaviour ? report.Value : null,
            Channel = report.Kind == SignalKind.Message ? report.Channel ?? Common.Channel.Web : report.Kind == SignalKind.Review ? Common.Channel.Review : null,
            Text = Trimmed(report.Text),
            Product = Trimmed(report.Product),
            Location = Trimmed(report.Location),
            OrderReference = Trimmed(report.OrderReference),
        };
    }

    /// <summary>Every reason the report cannot be stored, each naming its field; empty when it can.</summary>
    public static List<DomainError> Validate(SignalReport report)
    {
        var errors = new List<DomainError>();
        Required(report.Source, "source", MaxSourceLength, errors);
        Required(report.ExternalId, "externalId", MaxExternalIdLength, errors);
        if (report.OccurredAt is null)
        {
            errors.Add(DomainError.Invalid("signal.occurred_at_required", "occurredAt", "Say when it happened (occurredAt, with its offset)."));
        }

        if (Trimmed(report.Text) is { Length: > MaxTextLength })
        {
            errors.Add(DomainError.Invalid("signal.text_too_long", "text", $"A text has at most {MaxTextLength:N0} characters."));
        }

        foreach (var (value, field) in new[] { (report.Product, "product"), (report.Location, "location"), (report.OrderReference, "orderReference"), (report.Site, "site") })
        {
            if (Trimmed(value) is { Length: > MaxReferenceLength })
            {
                errors.Add(DomainError.Invalid("signal.field_too_long", field, $"{field} has at most {MaxReferenceLength} characters."));
            }
        }

        switch (report.Kind)
        {
            case null:
                errors.Add(DomainError.Invalid("signal.kind_required", "kind", "kind is Survey, Message, Review or Behaviour."));
                break;
            case SignalKind.Survey:
                if (report.SurveyType is not { } type)
                {
                    errors.Add(DomainError.Invalid("signal.survey_type_required", "surveyType", "A survey answer needs its surveyType: Nps, Csat or Ces."));
                }
                else if (report.Score is not { } score || score < Scale(type).Min || score > Scale(type).Max)
                {
                    errors.Add(DomainError.Invalid("signal.score_out_of_range", "score", $"A {type} score is a whole number from {Scale(type).Min} to {Scale(type).Max}."));
                }

                break;
            case SignalKind.Message:
                if (Trimmed(report.Text) is null)
                {
                    errors.Add(DomainError.Invalid("signal.text_required", "text", "A message needs its text."));
                }

                break;
            case SignalKind.Review:
                if (report.Rating is not (>= 1 and <= 5))
                {
                    errors.Add(DomainError.Invalid("signal.rating_out_of_range", "rating", "A review's rating is 1 to 5 stars."));
                }

                if (Trimmed(report.Site) is null)
                {
                    errors.Add(DomainError.Invalid("signal.site_required", "site", "Say where the review was posted (site)."));
                }

                break;
            case SignalKind.Behaviour:
                if (report.Event is null)
                {
                    errors.Add(DomainError.Invalid("signal.event_required", "event",
                        "A behaviour signal needs its event: OrderPlaced, OrderCancelled, DeliveryLate, PaymentFailed, Contact, UsageDropped or SubscriptionCancelled."));
                }

                break;
        }

        return errors;
    }

    /// <summary>The lowest and highest score of a survey type.</summary>
    public static (int Min, int Max) Scale(SurveyType type) => type switch
    {
        Signals.SurveyType.Nps => (0, 10),
        Signals.SurveyType.Csat => (1, 5),
        _ => (1, 7),
    };

    /// <summary>Records what detection found at ingest: its cues, the cheap score, and the risk with its reason.</summary>
    public void Assess(IReadOnlyList<Cue> cues, double? fastScore, string fastVersion, RiskContext context, RiskAssessment risk)
    {
        Cues = [.. cues];
        FastScore = fastScore;
        FastVersion = fastScore is null ? null : fastVersion;
        (CustomerTier, RepeatFailure, RecentContacts, PriorContacts) = (context.Tier, context.RepeatFailure, context.RecentContacts, context.PriorContacts);
        Risk = risk.Score;
        Reason = risk.Reason;
    }

    /// <summary>
    /// The model has read the text: its score replaces the cheap one and the risk is taken again from the same facts.
    /// Returns the risk it had before.
    /// </summary>
    public int RecordModelScore(double score, string modelVersion, CategorySuggestion? category = null)
    {
        if (!AwaitsModel)
        {
            throw new InvalidOperationException("Only a signal with text the model has not read takes a model score.");
        }

        var before = Risk;
        ModelScore = score;
        ModelVersion = modelVersion;
        (SuggestedCategory, CategoryConfidence) = (category?.Category, category?.Confidence);
        (ModelLeaseOwner, ModelLeaseUntil) = (null, null);
        var (_, risk) = RiskScorer.Assess(this, score, Context, RiskScorer.ModelTextWeight);
        Risk = risk.Score;
        Reason = risk.Reason;
        return before;
    }

    /// <summary>What detection decided: act (it stays <see cref="SignalAction.Pending"/> until the case step is done) or nothing.</summary>
    public void Decide(SignalAction action, CaseId? caseId, DateTimeOffset now)
    {
        Action = action;
        CaseId = caseId;
        DecidedAt = now.UtcDateTime;
    }

    /// <summary>What it was, in a few words: "NPS 2", "1-star review on Trustpilot", "Late delivery", "Message on Chat".</summary>
    public string Describe() => Kind switch
    {
        SignalKind.Survey => $"{SurveyType switch { Signals.SurveyType.Nps => "NPS", Signals.SurveyType.Csat => "CSAT", _ => "CES" }} {Score}",
        SignalKind.Review => $"{Rating}-star review on {Site}",
        SignalKind.Behaviour => EventWords(Event!.Value),
        _ => $"Message on {Channel}",
    };

    public static string EventWords(BehaviourEvent e) => e switch
    {
        BehaviourEvent.OrderPlaced => "Order placed",
        BehaviourEvent.OrderCancelled => "Order cancelled",
        BehaviourEvent.DeliveryLate => "Late delivery",
        BehaviourEvent.PaymentFailed => "Failed payment",
        BehaviourEvent.Contact => "Contact",
        BehaviourEvent.UsageDropped => "Usage dropped",
        BehaviourEvent.PurchasesStopped => "Purchases stopped",
        _ => "Subscription cancelled",
    };

    /// <summary>A pending signal whose action the background worker takes: unclaimed until it does.</summary>
    public void LeaveToWorker() => DecidedAt = null;

    private static void Required(string? value, string field, int max, List<DomainError> errors)
    {
        var text = Trimmed(value);
        if (text is null)
        {
            errors.Add(DomainError.Invalid($"signal.{Snake(field)}_required", field, $"{field} is required."));
        }
        else if (text.Length > max)
        {
            errors.Add(DomainError.Invalid($"signal.{Snake(field)}_too_long", field, $"{field} has at most {max} characters."));
        }
    }

    private static string Snake(string field) => string.Concat(field.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A signal as a source reports it, before it is checked.</summary>
public sealed record SignalReport(
    string? Source,
    string? ExternalId,
    SignalKind? Kind,
    DateTimeOffset? OccurredAt,
    SurveyType? SurveyType = null,
    int? Score = null,
    int? Rating = null,
    string? Site = null,
    BehaviourEvent? Event = null,
    decimal? Value = null,
    Channel? Channel = null,
    string? Text = null,
    string? Product = null,
    string? Location = null,
    string? OrderReference = null);

/// <summary>A risk score (0–100) and its reason in one sentence.</summary>
public sealed record RiskAssessment(int Score, string Reason);
