using System.ComponentModel;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;

namespace Amends.Web.Features.Cases;

/// <summary>A row of a case list.</summary>
public sealed record CaseListItem(
    Guid Id,
    string Number,
    Guid CustomerId,
    string CustomerName,
    FailureCategory Category,
    Severity Severity,
    Priority Priority,
    Channel Channel,
    string Summary,
    CaseStatus Status,
    CaseOutcome? Outcome,
    Guid? OwnerId,
    string? OwnerName,
    Guid? TeamId,
    string? TeamName,
    bool RepeatFailure,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    long Version,
    DateTime? AcknowledgeBy,
    DateTime? NextUpdateBy,
    DateTime? ResolveBy,
    bool SlaPaused,
    bool SlaBreached,
    EscalationState Escalation,
    DateTime? SlaWarnAt)
{
    /// <summary>One line of the customer's latest message (kept on the case when it arrives); null until they write.</summary>
    public string? LastCustomerMessage { get; init; }

    public DateTime? LastCustomerMessageAt { get; init; }
}

public sealed record MoneyDto(long Minor, string Currency)
{
    public static MoneyDto From(Money money) => new(money.Minor, money.Currency);

    public override string ToString() => new Money(Minor, Currency).ToString();
}

/// <summary>
/// The customer as a case shows them. <see cref="OtherOpenCases"/> and <see cref="CasesLast90Days"/> are counted up to
/// <see cref="CaseReader.CountCap"/> (a figure at the cap means that many or more), so reading a case costs the same
/// however long the customer's history is.
/// </summary>
public sealed record CaseCustomer(
    Guid Id,
    string Name,
    string? Email,
    string? Phone,
    Channel? PreferredChannel,
    ValueTier Tier,
    MoneyDto LifetimeValue,
    int OtherOpenCases,
    int CasesLast90Days,
    string? EmailFailing = null);

public sealed record TimelineItem(
    Guid Id,
    TimelineEntryKind Kind,
    DateTime At,
    Guid? ActorId,
    string? ActorName,
    string? Body,
    CaseStatus? FromStatus,
    CaseStatus? ToStatus,
    Guid? OwnerId,
    string? OwnerName,
    Channel? Channel,
    Guid? MessageId = null,
    Messaging.MessageDelivery? Delivery = null,
    Messaging.Email.ReceivedEmail? Email = null,
    Guid? SignalId = null);

/// <summary>A whole case as the workspace shows it. <see cref="AvailableActions"/> names the lifecycle POSTs the case allows now.</summary>
public sealed record CaseDetail(
    Guid Id,
    string Number,
    CaseCustomer Customer,
    FailureCategory Category,
    Severity Severity,
    Priority Priority,
    Channel Channel,
    string Summary,
    CaseStatus Status,
    CaseOutcome? Outcome,
    Guid? OwnerId,
    string? OwnerName,
    Guid? TeamId,
    string? TeamName,
    bool RepeatFailure,
    string? Resolution,
    bool ApologyOnly,
    int? FollowUpScore,
    string? FollowUpComment,
    Guid? FollowUpRecordedBy,
    int ReopenCount,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? AcknowledgedAt,
    DateTime? ResolvedAt,
    DateTime? ClosedAt,
    long Version,
    DateTime? AcknowledgeBy,
    DateTime? NextUpdateBy,
    DateTime? ResolveBy,
    CaseSla Sla,
    EscalationState Escalation,
    EscalationReason? EscalationReason,
    DateTime? EscalatedAt,
    Guid? EscalationSupervisorId,
    int FollowUpsSent,
    Guid? CoverOwnerId,
    string? CoverOwnerName,
    Guid? PlaybookId,
    int? PlaybookVersion,
    IReadOnlyList<ChecklistItem> Checklist,
    IReadOnlyList<string> AvailableActions,
    IReadOnlyList<TimelineItem> Timeline,
    int TimelineTotal,
    [property: Description("The highest risk (0–100) of the signals that opened or joined the case; null when detection had no part in it")] int? DetectedRisk = null,
    [property: Description("An agent's word on detection: Confirmed or NotAProblem; null until someone says")] DetectionVerdict? DetectionVerdict = null);

/// <summary>
/// The SLA clocks in full: targets (business minutes), warning instants, whether the resolve clock is paused (and the
/// business minutes it has left), and how each finished clock went.
/// </summary>
public sealed record CaseSla(
    double AcknowledgeTargetMinutes,
    double UpdateTargetMinutes,
    double ResolveTargetMinutes,
    DateTime? AcknowledgeWarnAt,
    DateTime? NextUpdateWarnAt,
    DateTime? ResolveWarnAt,
    bool Paused,
    double? PausedRemainingMinutes,
    bool? AcknowledgedOnTime,
    bool? ResolvedOnTime,
    bool AcknowledgeBreached,
    bool ResolveBreached,
    int UpdatesMissed)
{
    public static CaseSla From(Amends.Domain.Sla.SlaClock s) => new(
        s.AcknowledgeTarget.TotalMinutes, s.UpdateTarget.TotalMinutes, s.ResolveTarget.TotalMinutes,
        s.AcknowledgeWarnAt, s.NextUpdateWarnAt, s.ResolveWarnAt, s.IsPaused, s.ResolvePausedRemaining?.TotalMinutes,
        s.AcknowledgedOnTime, s.ResolvedOnTime, s.AcknowledgeBreached, s.ResolveBreached, s.UpdatesMissed);
}

/// <summary>
/// A page of results: <see cref="Total"/> counts all matches (case lists stop counting at 1,000 and set
/// <see cref="TotalCapped"/>), <see cref="Items"/> holds one page of them.
/// </summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize)
{
    public bool TotalCapped { get; init; }
}

/// <summary>A playbook message for this case with its merge fields filled in.</summary>
public sealed record RenderedTemplate(Amends.Domain.Playbooks.TemplateKind Kind, string Text);
