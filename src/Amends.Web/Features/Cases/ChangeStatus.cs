using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;

namespace Amends.Web.Features.Cases;

/// <summary>Why the case waits on the customer (optional).</summary>
public sealed record WaitRequest([property: StringLength(1000)] string? Reason = null);

/// <summary>
/// How the problem was put right. Without a delivered remedy the case resolves only with <see cref="ApologyOnly"/> set:
/// a deliberate decision, never a default.
/// </summary>
public sealed record ResolveRequest(
    [property: Required, StringLength(RecoveryCase.MaxTextLength)] string? Resolution,
    bool ApologyOnly = false);

/// <summary>How the case ended; NotRecovered needs a reason.</summary>
public sealed record CloseRequest([property: Required] CaseOutcome? Outcome, [property: StringLength(1000)] string? Reason = null);

public sealed record ReopenRequest([property: Required, StringLength(1000)] string? Reason);

public sealed record ChangeSeverityRequest([property: Required] Severity? Severity);

public sealed record DetectionVerdictRequest([property: Required] DetectionVerdict? Verdict);

/// <summary>The customer's answer to the satisfaction check.</summary>
public sealed record FollowUpAnswer([property: Required, Range(1, 5)] int? Score, [property: StringLength(2000)] string? Comment = null);

/// <summary>Whether the checklist step is done.</summary>
public sealed record ChecklistStepRequest(bool Done = true);
