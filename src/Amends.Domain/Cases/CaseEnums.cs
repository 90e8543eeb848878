namespace Amends.Domain.Cases;

/// <summary>Where a case is in its lifecycle (DESIGN.md §2). Reopening is a transition back to <see cref="Resolving"/>.</summary>
public enum CaseStatus
{
    New,
    Acknowledged,
    Resolving,
    WaitingOnCustomer,
    Resolved,
    Closed,
}

/// <summary>How a closed case ended.</summary>
public enum CaseOutcome
{
    Recovered,
    NotRecovered,
    Unconfirmed,
    Duplicate,
    Withdrawn,
}

/// <summary>What failed for the customer. Each category gets its own playbook.</summary>
public enum FailureCategory
{
    LateDelivery,
    DefectiveProduct,
    WrongOrder,
    BillingError,
    PoorService,
    MissedAppointment,
    DigitalOutage,
    Other,
}

/// <summary>How badly the failure hurt the customer.</summary>
public enum Severity
{
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

/// <summary>How soon the case must be handled; derived from severity, customer value, publicity and repeat failure.</summary>
public enum Priority
{
    Low = 1,
    Normal = 2,
    High = 3,
    Urgent = 4,
}

public enum TimelineEntryKind
{
    Created,
    Note,
    MessageIn,
    MessageOut,
    StatusChanged,
    Assigned,
    SeverityChanged,
    SlaWarning,
    SlaBreached,
    Escalated,
    SupervisorSteppedIn,
    HandedBack,
    FollowUpSent,
    ChecklistStep,
    PromiseMade,
    PromiseReminder,
    PromiseKept,
    PromiseBroken,
    CoverStarted,
    CoverEnded,
    Remedy,

    /// <summary>A phone call with the customer, with its notes.</summary>
    Call,

    /// <summary>The customer agreed to something: to be contacted on another channel, or to stop automatic updates.</summary>
    Consent,

    /// <summary>A message to the customer could not be delivered; the reason says why.</summary>
    DeliveryFailed,

    /// <summary>An automatic answer from the customer's side (an out-of-office reply): shown, never answered, and it does not count as the customer replying.</summary>
    AutomaticReply,

    /// <summary>A signal detection acted on: what was observed and why it mattered (its <see cref="TimelineEntry.SignalId"/>).</summary>
    Signal,

    /// <summary>Two customer records were found to be one person and merged: the case moved to the record kept.</summary>
    CustomerMerged,

    /// <summary>An agent said whether detection was right to open or flag this case.</summary>
    DetectionJudged,
}

/// <summary>What an agent says of a case detection opened: the customer really was unhappy, or not.</summary>
public enum DetectionVerdict
{
    Confirmed,
    NotAProblem,
}

/// <summary>One playbook step on a case, and who ticked it off when.</summary>
public sealed record ChecklistItem(string Step, DateTime? DoneAt, Guid? DoneBy, string? DoneByName);

/// <summary>Why a supervisor is asked to step in.</summary>
public enum EscalationReason
{
    SlaBreach,
    RepeatFailure,
    CustomerAskedForManager,
    VeryHighPriority,
    OwnerAskedForHelp,
}

/// <summary>Where an escalation stands: waiting in the supervisor queue, or a supervisor has stepped in.</summary>
public enum EscalationState
{
    None,
    Waiting,
    SupervisorEngaged,
}

/// <summary>The categories in words a person reads.</summary>
public static class FailureCategories
{
    public static string Label(FailureCategory category) => category switch
    {
        FailureCategory.LateDelivery => "Late delivery",
        FailureCategory.DefectiveProduct => "Defective product",
        FailureCategory.WrongOrder => "Wrong order",
        FailureCategory.BillingError => "Billing error",
        FailureCategory.PoorService => "Poor service",
        FailureCategory.MissedAppointment => "Missed appointment",
        FailureCategory.DigitalOutage => "Digital outage",
        _ => "Other",
    };
}
