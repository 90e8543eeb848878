using Amends.Domain.Common;
using Amends.Domain.Customers;

namespace Amends.Domain.Cases;

/// <summary>
/// One customer's failed experience being put right. Invariants: the status only moves along the lifecycle of
/// DESIGN.md §2; a closed case has an outcome and an open one has none; <c>Resolved</c> needs a resolution and either
/// a delivered remedy or an explicit apology-only decision; <c>Closed(Recovered)</c> needs a follow-up answer.
/// Every change appends to the timeline and bumps <see cref="Version"/> (the optimistic concurrency token).
/// </summary>
public sealed class RecoveryCase
{
    public const int MaxSummaryLength = 500;
    public const int MaxTextLength = 10_000;

    private static readonly HashSet<(CaseStatus From, CaseStatus To)> Lifecycle =
    [
        (CaseStatus.New, CaseStatus.Acknowledged),
        (CaseStatus.Acknowledged, CaseStatus.Resolving),
        (CaseStatus.Resolving, CaseStatus.WaitingOnCustomer),
        (CaseStatus.WaitingOnCustomer, CaseStatus.Resolving),
        (CaseStatus.Resolving, CaseStatus.Resolved),
        (CaseStatus.Resolved, CaseStatus.Closed),
        (CaseStatus.Resolved, CaseStatus.Resolving),
        (CaseStatus.Closed, CaseStatus.Resolving),
    ];

    private readonly List<TimelineEntry> _timeline = [];

    private RecoveryCase()
    {
        Summary = "";
    }

    public CaseId Id { get; private set; }

    /// <summary>The case number (<see cref="CaseNumber"/>); 0 until the case is first saved, when the database assigns it.</summary>
    public long Number { get; private set; }

    /// <summary>The number as people write it: <c>AM-10423</c>.</summary>
    public string Reference => CaseNumber.Format(Number);

    public CustomerId CustomerId { get; private set; }

    public FailureCategory Category { get; private set; }

    public Severity Severity { get; private set; }

    public Priority Priority { get; private set; }

    /// <summary>The channel the case reached us on; the customer is answered there unless they prefer another.</summary>
    public Channel Channel { get; private set; }

    public string Summary { get; private set; }

    public CaseStatus Status { get; private set; }

    /// <summary>Set exactly when <see cref="Status"/> is <see cref="CaseStatus.Closed"/>.</summary>
    public CaseOutcome? Outcome { get; private set; }

    /// <summary>The customer's single point of contact.</summary>
    public UserId? OwnerId { get; private set; }

    public TeamId? TeamId { get; private set; }

    /// <summary>A second case for the same customer within 90 days (a "double deviation").</summary>
    public bool RepeatFailure { get; private set; }

    /// <summary>For a case detection opened or added to: the highest risk (0–100) of the signals that drove it; null for a case opened by a person.</summary>
    public int? DetectedRisk { get; private set; }

    /// <summary>An agent's word on a detected case: right (the customer was unhappy) or not; the labels detection learns from.</summary>
    public DetectionVerdict? DetectionVerdict { get; private set; }

    public UserId? DetectionJudgedBy { get; private set; }

    public DateTime? DetectionJudgedAt { get; private set; }

    public string? Resolution { get; private set; }

    public bool ApologyOnly { get; private set; }

    /// <summary>Remedies fulfilled on this case (refund paid, replacement shipped …).</summary>
    public int DeliveredRemedies { get; private set; }

    /// <summary>The customer's answer to the satisfaction check, 1–5.</summary>
    public int? FollowUpScore { get; private set; }

    public string? FollowUpComment { get; private set; }

    /// <summary>
    /// The staff member who recorded the follow-up answer the customer gave them (by phone, say); null when the customer
    /// answered themselves through their link. Reports keep the two apart: an agent's word is not the customer's.
    /// </summary>
    public UserId? FollowUpRecordedBy { get; private set; }

    public int ReopenCount { get; private set; }

    /// <summary>UTC, as are all times below.</summary>
    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public DateTime? AcknowledgedAt { get; private set; }

    public DateTime? ResolvedAt { get; private set; }

    public DateTime? ClosedAt { get; private set; }

    /// <summary>The playbook version the case started with; later edits of the playbook do not change it.</summary>
    public Guid? PlaybookId { get; private set; }

    public int? PlaybookVersion { get; private set; }

    /// <summary>The playbook's steps as a checklist, in order.</summary>
    public IReadOnlyList<ChecklistItem> Checklist { get; private set; } = [];

    /// <summary>Who looks after the case while the owner is away. The owner stays the customer's named contact.</summary>
    public UserId? CoverOwnerId { get; private set; }

    public EscalationState Escalation { get; private set; }

    public EscalationReason? EscalationReason { get; private set; }

    public DateTime? EscalatedAt { get; private set; }

    /// <summary>The supervisor who stepped in; the owner stays the customer's contact unless reassigned.</summary>
    public UserId? EscalationSupervisorId { get; private set; }

    /// <summary>Satisfaction checks sent after resolution (the first ask and its reminders).</summary>
    public int FollowUpsSent { get; private set; }

    /// <summary>When we last sent the customer a message (an update, for the SLA's next-update clock).</summary>
    public DateTime? LastUpdateSentAt { get; private set; }

    /// <summary>The SLA clocks; the application brings them in line after each change (<see cref="Sla.SlaClock.Reconcile"/>).</summary>
    public Sla.SlaClock Sla { get; private set; } = new();

    /// <summary>Bumped by every change; a write from an older version is rejected.</summary>
    public long Version { get; private set; }

    /// <summary>Not closed. Stored, so that inbox queries can use an index.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>
    /// The inbox order, breached first: the opening time of a case that has breached a clock, else the due time of the
    /// running clock (first response, else resolution), or <see cref="DateTime.MaxValue"/> when no clock runs.
    /// </summary>
    public DateTime UrgencyKey { get; private set; } = NoDeadline;

    /// <summary>
    /// From when the case is at risk (the badge's "risk", <see cref="AtRiskStretch"/>): the running clock's warning time,
    /// or its due time less the final stretch if that is earlier; its opening time when the clock has already warned;
    /// <see cref="NoDeadline"/> when no clock runs or one has breached. So "at risk" is "this in the past, the urgency
    /// in the future": two ranges an index serves, with no per-row look at the clocks.
    /// </summary>
    public DateTime RiskKey { get; private set; } = NoDeadline;

    /// <summary>A running clock this close to its due time is at risk whatever its warning time.</summary>
    public static readonly TimeSpan AtRiskStretch = TimeSpan.FromMinutes(15);

    /// <summary>The customer's name as lists show it, kept on the case so a list reads no customer rows.</summary>
    public string CustomerName { get; private set; } = "";

    /// <summary>The start of the customer's latest message, one line, for lists; null until they write.</summary>
    public string? LastCustomerMessage { get; private set; }

    /// <summary>When the customer's latest message arrived (UTC).</summary>
    public DateTime? LastCustomerMessageAt { get; private set; }

    /// <summary>How much of a customer's message a list shows.</summary>
    public const int SnippetLength = 140;

    /// <summary>The urgency of a case with no running clock: after every case that has one.</summary>
    public static readonly DateTime NoDeadline = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);

    /// <summary>
    /// The entries appended through this instance. When the case is loaded without its timeline this holds only the
    /// new entries, which is all a write needs.
    /// </summary>
    public IReadOnlyList<TimelineEntry> Timeline => _timeline;

    public static Result<RecoveryCase> Open(
        Customer customer,
        FailureCategory category,
        Severity severity,
        Channel channel,
        string? summary,
        Actor? openedBy,
        DateTimeOffset now,
        bool repeatFailure = false)
    {
        var text = summary?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return DomainError.Invalid("case.summary_required", "summary", "Say in a sentence what went wrong.");
        }

        if (text.Length > MaxSummaryLength)
        {
            return DomainError.Invalid("case.summary_too_long", "summary", $"A summary has at most {MaxSummaryLength} characters.");
        }

        // A second failure soon after the first (a "double deviation") hurts more than the first: one level up.
        if (repeatFailure && severity < Severity.Critical)
        {
            severity++;
        }

        var recoveryCase = new RecoveryCase
        {
            Id = CaseId.New(),
            CustomerId = customer.Id,
            CustomerName = customer.Name,
            Category = category,
            Severity = severity,
            Channel = channel,
            Summary = text,
            Status = CaseStatus.New,
            IsOpen = true,
            RepeatFailure = repeatFailure,
            Priority = PriorityPolicy.Compute(severity, customer.Tier, channel, repeatFailure),
            CreatedAt = now.UtcDateTime,
            UpdatedAt = now.UtcDateTime,
            Version = 1,
        };
        recoveryCase.Append(TimelineEntryKind.Created, openedBy, now, text, to: CaseStatus.New, channel: channel);
        return Result<RecoveryCase>.Ok(recoveryCase);
    }

    /// <summary>First human response: the case is seen. Whoever acknowledges an unowned case becomes its owner.</summary>
    public DomainError? Acknowledge(Actor by, DateTimeOffset now)
    {
        var error = Move(CaseStatus.Acknowledged, by, now, null);
        if (error is not null)
        {
            return error;
        }

        AcknowledgedAt = now.UtcDateTime;
        if (OwnerId is null)
        {
            SetOwner(by, by, now);
        }

        return null;
    }

    public DomainError? StartResolving(Actor by, DateTimeOffset now) =>
        Status == CaseStatus.Acknowledged ? Move(CaseStatus.Resolving, by, now, null) : Illegal(CaseStatus.Resolving);

    public DomainError? WaitForCustomer(Actor by, DateTimeOffset now, string? reason) =>
        Status == CaseStatus.Resolving
            ? Move(CaseStatus.WaitingOnCustomer, by, now, Clean(reason))
            : Illegal(CaseStatus.WaitingOnCustomer);

    /// <summary>The customer answered (or the wait is over): work goes on.</summary>
    public DomainError? Resume(Actor? by, DateTimeOffset now) =>
        Status == CaseStatus.WaitingOnCustomer ? Move(CaseStatus.Resolving, by, now, null) : Illegal(CaseStatus.Resolving);

    public DomainError? Resolve(Actor by, DateTimeOffset now, string? resolution, bool apologyOnly)
    {
        if (Status != CaseStatus.Resolving)
        {
            return Illegal(CaseStatus.Resolved);
        }

        var text = Clean(resolution);
        if (text is null)
        {
            return DomainError.Invalid("case.resolution_required", "resolution", "Say how the problem was put right.");
        }

        if (!apologyOnly && DeliveredRemedies == 0)
        {
            return DomainError.Invalid(
                "case.remedy_required",
                "apologyOnly",
                "No remedy has been delivered: deliver one first, or resolve with an apology only.");
        }

        var error = Move(CaseStatus.Resolved, by, now, text);
        if (error is null)
        {
            Resolution = text;
            ApologyOnly = apologyOnly && DeliveredRemedies == 0;
            ResolvedAt = now.UtcDateTime;
        }

        return error;
    }

    /// <summary>
    /// Ends the case. Duplicate and Withdrawn may end any open case; the other outcomes need it resolved first,
    /// and Recovered needs a follow-up answer of 4 or 5.
    /// </summary>
    public DomainError? Close(Actor? by, DateTimeOffset now, CaseOutcome outcome, string? reason)
    {
        if (Status == CaseStatus.Closed)
        {
            return DomainError.Conflict("case.already_closed", "The case is already closed.");
        }

        var earlyExit = outcome is CaseOutcome.Duplicate or CaseOutcome.Withdrawn;
        if (!earlyExit && Status != CaseStatus.Resolved)
        {
            return DomainError.Conflict(
                "case.not_resolved",
                $"A case can only be closed as {outcome} once it is resolved; it is {Status}.");
        }

        if (outcome == CaseOutcome.Recovered && FollowUpScore is null or < 4)
        {
            return DomainError.Conflict(
                "case.follow_up_required",
                "Closing as Recovered needs the customer's follow-up answer of 4 or 5.");
        }

        if (outcome == CaseOutcome.NotRecovered && Clean(reason) is null)
        {
            return DomainError.Invalid("case.reason_required", "reason", "Say why the customer was not recovered.");
        }

        var from = Status;
        Status = CaseStatus.Closed;
        IsOpen = false;
        Outcome = outcome;
        ClearEscalation();
        ClosedAt = now.UtcDateTime;
        Touch(now);
        Append(TimelineEntryKind.StatusChanged, by, now, Describe(outcome, Clean(reason)), from, CaseStatus.Closed);
        return null;
    }

    /// <summary>A resolved or closed case goes back to work; a duplicate stays closed (reopen the original).</summary>
    public DomainError? Reopen(Actor? by, DateTimeOffset now, string? reason)
    {
        if (Outcome == CaseOutcome.Duplicate)
        {
            return DomainError.Conflict("case.duplicate_cannot_reopen", "A duplicate case cannot be reopened; reopen the original.");
        }

        var text = Clean(reason);
        if (text is null)
        {
            return DomainError.Invalid("case.reason_required", "reason", "Say why the case is reopened.");
        }

        if (Status is not (CaseStatus.Resolved or CaseStatus.Closed))
        {
            return Illegal(CaseStatus.Resolving);
        }

        var error = Move(CaseStatus.Resolving, by, now, "Reopened: " + text);
        if (error is null)
        {
            Outcome = null;
            ClosedAt = null;
            ResolvedAt = null;
            FollowUpScore = null;
            FollowUpComment = null;
            FollowUpRecordedBy = null;
            FollowUpsSent = 0;
            ReopenCount++;
        }

        return error;
    }

    /// <summary>The customer's satisfaction answer after resolution (1–5).</summary>
    public DomainError? RecordFollowUp(int score, string? comment, DateTimeOffset now, Actor? recordedBy = null)
    {
        if (score is < 1 or > 5)
        {
            return DomainError.Invalid("case.follow_up_score_range", "score", "The score is from 1 to 5.");
        }

        if (Status != CaseStatus.Resolved)
        {
            return DomainError.Conflict("case.not_resolved", "A follow-up answer is taken only on a resolved case.");
        }

        FollowUpScore = score;
        FollowUpComment = Clean(comment);
        FollowUpRecordedBy = recordedBy?.Id;
        Touch(now);
        var source = recordedBy is null ? "" : $" (recorded by {recordedBy.Name} on the customer's behalf)";
        Append(TimelineEntryKind.MessageIn, recordedBy, now, $"Follow-up answer: {score}/5{source}" + (FollowUpComment is null ? "" : $" — {FollowUpComment}"));
        return null;
    }

    /// <summary>A remedy on this case was fulfilled; it allows resolving without the apology-only decision.</summary>
    public void RecordRemedyDelivered(DateTimeOffset now)
    {
        DeliveredRemedies++;
        Touch(now);
    }

    /// <summary>A step of a remedy offer (made, waiting for approval, approved, denied, chosen, withdrawn) on the timeline.</summary>
    public DomainError? RecordRemedy(string what, Actor? by, DateTimeOffset now, bool delivered = false)
    {
        if (Status == CaseStatus.Closed)
        {
            return DomainError.Conflict("case.closed", "A closed case takes no remedies; reopen it first.");
        }

        if (delivered)
        {
            DeliveredRemedies++;
        }

        Touch(now);
        Append(TimelineEntryKind.Remedy, by, now, what);
        return null;
    }

    /// <summary>Makes <paramref name="owner"/> the customer's single point of contact. Reassigning to the same owner changes nothing.</summary>
    public DomainError? Assign(Actor owner, TeamId? team, Actor by, DateTimeOffset now)
    {
        if (Status == CaseStatus.Closed)
        {
            return DomainError.Conflict("case.closed", "A closed case cannot be reassigned; reopen it first.");
        }

        if (OwnerId == owner.Id && (team is null || team == TeamId))
        {
            return null;
        }

        if (team is not null)
        {
            TeamId = team;
        }

        SetOwner(owner, by, now);
        return null;
    }

    /// <summary>Moves the case to a team's queue without an owner.</summary>
    public DomainError? MoveToTeam(TeamId team, Actor by, DateTimeOffset now)
    {
        if (Status == CaseStatus.Closed)
        {
            return DomainError.Conflict("case.closed", "A closed case cannot be moved; reopen it first.");
        }

        TeamId = team;
        Touch(now);
        return null;
    }

    /// <summary>An internal note: only the team sees it, never the customer.</summary>
    public DomainError? AddNote(Actor by, string? body, DateTimeOffset now)
    {
        var text = Clean(body);
        if (text is null)
        {
            return DomainError.Invalid("case.note_required", "body", "A note cannot be empty.");
        }

        if (text.Length > MaxTextLength)
        {
            return DomainError.Invalid("case.note_too_long", "body", $"A note has at most {MaxTextLength:N0} characters.");
        }

        Touch(now);
        Append(TimelineEntryKind.Note, by, now, text);
        return null;
    }

    /// <summary>
    /// Records a message from the customer (inbound, actor may be null) or to them (outbound). An outbound message that
    /// goes through the outbox names it (<paramref name="messageId"/>); without one it was sent outside Amends.
    /// </summary>
    public DomainError? RecordMessage(bool inbound, Channel channel, string? body, Actor? by, DateTimeOffset now, Guid? messageId = null)
    {
        var text = Clean(body);
        if (text is null)
        {
            return DomainError.Invalid("case.message_required", "body", "A message cannot be empty.");
        }

        if (text.Length > MaxTextLength)
        {
            return DomainError.Invalid("case.message_too_long", "body", $"A message has at most {MaxTextLength:N0} characters.");
        }

        if (!inbound && by is null && messageId is null)
        {
            return DomainError.Invalid("case.message_sender_required", "direction", "An outbound message needs a sender.");
        }

        if (!inbound && Playbooks.TemplatePlaceholders.First(text) is { } placeholder)
        {
            return DomainError.Invalid("case.message_placeholder_left", "body", $"Fill in {placeholder} before sending: the customer would see it as written.");
        }

        Touch(now);
        if (!inbound)
        {
            LastUpdateSentAt = now.UtcDateTime;
        }
        else
        {
            LastCustomerMessage = Snippet(text);
            LastCustomerMessageAt = now.UtcDateTime;
        }

        Append(inbound ? TimelineEntryKind.MessageIn : TimelineEntryKind.MessageOut, by, now, text, channel: channel, messageId: messageId);
        return null;
    }

    /// <summary>
    /// A signal detection acted on goes on the timeline: <paramref name="headline"/> says what it was and why it matters,
    /// followed by what the customer wrote. A message signal is the customer writing to us, so the list's last-message
    /// snippet follows it. The case remembers the highest risk that drove it (<see cref="DetectedRisk"/>) when
    /// <paramref name="risk"/> is given.
    /// </summary>
    public void RecordSignal(Guid signalId, string headline, string? text, Channel? channel, bool customerMessage, int? risk, DateTimeOffset now)
    {
        var written = Clean(text);
        var body = written is null ? headline : headline + "\n" + written;
        Touch(now);
        if (customerMessage && written is not null)
        {
            LastCustomerMessage = Snippet(written);
            LastCustomerMessageAt = now.UtcDateTime;
        }

        if (risk is { } r)
        {
            DetectedRisk = Math.Max(DetectedRisk ?? 0, r);
        }

        Append(TimelineEntryKind.Signal, null, now, body.Length > MaxTextLength ? body[..(MaxTextLength - 1)] + "…" : body, channel: channel, signalId: signalId);
    }

    /// <summary>A phone call with the customer and its notes. Talking to them keeps them informed: the next-update clock restarts.</summary>
    public DomainError? LogCall(string? notes, Actor by, DateTimeOffset now)
    {
        var text = Clean(notes);
        if (text is null)
        {
            return DomainError.Invalid("case.call_notes_required", "body", "Write down what was said on the call.");
        }

        if (text.Length > MaxTextLength)
        {
            return DomainError.Invalid("case.message_too_long", "body", $"Call notes have at most {MaxTextLength:N0} characters.");
        }

        Touch(now);
        LastUpdateSentAt = now.UtcDateTime;
        Append(TimelineEntryKind.Call, by, now, text, channel: Channel.Phone);
        return null;
    }

    /// <summary>Records what the customer agreed to and how we know (for example: to be called instead of e-mailed).</summary>
    public DomainError? RecordConsent(string what, string? how, Actor? by, DateTimeOffset now, Channel? channel = null)
    {
        var text = Clean(how);
        if (text?.Length > 500)
        {
            return DomainError.Invalid("case.consent_too_long", "consent", "Say in up to 500 characters how the customer agreed.");
        }

        Touch(now);
        Append(TimelineEntryKind.Consent, by, now, text is null ? what : $"{what}: {text}", channel: channel);
        return null;
    }

    /// <summary>A message to the customer failed for good: the owner sees why, and can try another channel.</summary>
    /// <summary>An automatic reply from the customer's side: on the timeline, but no wait ends and no clock stops.</summary>
    public DomainError? RecordAutomaticReply(Channel channel, string? body, DateTimeOffset now, Guid? messageId = null)
    {
        var text = Clean(body);
        if (text is null)
        {
            return null;
        }

        Touch(now);
        Append(TimelineEntryKind.AutomaticReply, null, now, text.Length > MaxTextLength ? text[..MaxTextLength] : text, channel: channel, messageId: messageId);
        return null;
    }

    public void RecordDeliveryFailure(Channel channel, string reason, Guid messageId, DateTimeOffset now)
    {
        Touch(now);
        Append(TimelineEntryKind.DeliveryFailed, null, now, reason, channel: channel, messageId: messageId);
    }

    public DomainError? ChangeSeverity(Severity severity, ValueTier customerTier, Actor by, DateTimeOffset now)
    {
        if (Status == CaseStatus.Closed)
        {
            return DomainError.Conflict("case.closed", "A closed case cannot change severity; reopen it first.");
        }

        if (severity == Severity)
        {
            return null;
        }

        var before = Severity;
        Severity = severity;
        Priority = PriorityPolicy.Compute(severity, customerTier, Channel, RepeatFailure);
        Touch(now);
        Append(TimelineEntryKind.SeverityChanged, by, now, $"Severity {before} → {severity}; priority {Priority}");
        return null;
    }

    /// <summary>Starts the case on a playbook version: its steps become the checklist. A case keeps its first playbook.</summary>
    public void ApplyPlaybook(Playbooks.Playbook playbook)
    {
        if (PlaybookId is not null)
        {
            return;
        }

        PlaybookId = playbook.Id;
        PlaybookVersion = playbook.Version;
        Checklist = [.. playbook.Content.Steps.Select(step => new ChecklistItem(step, null, null, null))];
    }

    /// <summary>Ticks a checklist step off (or back on); a system line on the timeline says who.</summary>
    public DomainError? SetStep(int index, bool done, Actor by, DateTimeOffset now)
    {
        if (index < 0 || index >= Checklist.Count)
        {
            return DomainError.NotFound("case.step_not_found", $"The checklist has no step {index}.", "index");
        }

        var item = Checklist[index];
        if ((item.DoneAt is not null) == done)
        {
            return null;
        }

        var items = Checklist.ToList();
        items[index] = done ? item with { DoneAt = now.UtcDateTime, DoneBy = by.Id.Value, DoneByName = by.Name } : item with { DoneAt = null, DoneBy = null, DoneByName = null };
        Checklist = items;
        Touch(now);
        Append(TimelineEntryKind.ChecklistStep, by, now, (done ? "Done: " : "Reopened step: ") + item.Step);
        return null;
    }

    /// <summary>Records an ETA told to the customer; the caller stores the returned promise.</summary>
    public Result<Promise> MakePromise(string? text, DateTimeOffset dueAt, Actor by, DateTimeOffset now)
    {
        if (Status == CaseStatus.Closed)
        {
            return DomainError.Conflict("case.closed", "A closed case takes no new promises; reopen it first.");
        }

        var made = Promise.Make(Id, text, dueAt, by, now);
        if (made.IsSuccess)
        {
            Touch(now);
            Append(TimelineEntryKind.PromiseMade, by, now,
                $"Promised: {made.Value.Text} (by {made.Value.DueAt.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)})");
        }

        return made;
    }

    public DomainError? KeepPromise(Promise promise, Actor by, DateTimeOffset now)
    {
        var error = promise.CaseId == Id ? promise.Keep(now) : DomainError.NotFound("promise.not_found", "The promise belongs to another case.");
        if (error is null)
        {
            Touch(now);
            Append(TimelineEntryKind.PromiseKept, by, now, "Kept: " + promise.Text);
        }

        return error;
    }

    /// <summary>The reminder before a promise falls due, or, once due and still open, its breaking.</summary>
    public void CheckPromise(Promise promise, DateTimeOffset now)
    {
        if (promise.Status != PromiseStatus.Open || promise.CaseId != Id)
        {
            return;
        }

        if (now.UtcDateTime >= promise.DueAt)
        {
            promise.Break(now);
            Touch(now);
            Append(TimelineEntryKind.PromiseBroken, null, now, "Broken: " + promise.Text);
        }
        else if (!promise.Reminded && now.UtcDateTime >= promise.RemindAt)
        {
            promise.MarkReminded();
            Touch(now);
            Append(TimelineEntryKind.PromiseReminder, null, now,
                $"Due soon: {promise.Text} (by {promise.DueAt.ToString("HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)})");
        }
    }

    /// <summary>A teammate covers the case while its owner is away; the customer's named contact does not change.</summary>
    public DomainError? StartCover(Actor cover, Actor owner, DateTimeOffset now)
    {
        if (Status == CaseStatus.Closed)
        {
            return DomainError.Conflict("case.closed", "A closed case needs no cover.");
        }

        if (OwnerId != owner.Id)
        {
            return DomainError.Conflict("case.not_owner", "Only the owner's cases are covered.");
        }

        if (cover.Id == owner.Id || CoverOwnerId == cover.Id)
        {
            return null;
        }

        CoverOwnerId = cover.Id;
        Touch(now);
        Append(TimelineEntryKind.CoverStarted, owner, now, $"{cover.Name} covers while {owner.Name} is away; {owner.Name} stays the customer's contact");
        return null;
    }

    /// <summary>The owner is back: the cover ends and the case is theirs alone again.</summary>
    public void EndCover(DateTimeOffset now)
    {
        if (CoverOwnerId is null)
        {
            return;
        }

        CoverOwnerId = null;
        Touch(now);
        Append(TimelineEntryKind.CoverEnded, null, now, "The owner is back; cover ended");
    }

    /// <summary>
    /// Sends the case to the team supervisor's queue. An escalation already waiting keeps its first reason; the new
    /// one is still recorded on the timeline.
    /// </summary>
    public DomainError? Escalate(EscalationReason reason, string? note, Actor? by, DateTimeOffset now)
    {
        if (Status == CaseStatus.Closed)
        {
            return DomainError.Conflict("case.closed", "A closed case cannot be escalated; reopen it first.");
        }

        if (Escalation == EscalationState.None)
        {
            Escalation = EscalationState.Waiting;
            EscalationReason = reason;
            EscalatedAt = now.UtcDateTime;
            EscalationSupervisorId = null;
        }

        Touch(now);
        Append(TimelineEntryKind.Escalated, by, now, Words(reason) + (Clean(note) is { } text ? ": " + text : ""));
        return null;
    }

    /// <summary>A supervisor takes the escalation on; the owner remains the customer's single point of contact.</summary>
    public DomainError? StepIn(Actor supervisor, DateTimeOffset now)
    {
        if (Escalation == EscalationState.None)
        {
            return DomainError.Conflict("case.not_escalated", "The case is not escalated.");
        }

        Escalation = EscalationState.SupervisorEngaged;
        EscalationSupervisorId = supervisor.Id;
        Touch(now);
        Append(TimelineEntryKind.SupervisorSteppedIn, supervisor, now, $"{supervisor.Name} stepped in");
        return null;
    }

    /// <summary>The supervisor hands the case back to its owner and the escalation ends.</summary>
    public DomainError? HandBack(Actor supervisor, string? note, DateTimeOffset now)
    {
        if (Escalation == EscalationState.None)
        {
            return DomainError.Conflict("case.not_escalated", "The case is not escalated.");
        }

        ClearEscalation();
        Touch(now);
        Append(TimelineEntryKind.HandedBack, supervisor, now, Clean(note) ?? "Handed back to the owner");
        return null;
    }

    /// <summary>Records that the satisfaction check (or a reminder of it) went to the customer.</summary>
    public DomainError? RecordFollowUpSent(DateTimeOffset now)
    {
        if (Status != CaseStatus.Resolved)
        {
            return DomainError.Conflict("case.not_resolved", "A follow-up goes out only on a resolved case.");
        }

        FollowUpsSent++;
        Touch(now);
        Append(TimelineEntryKind.FollowUpSent, null, now, FollowUpsSent == 1 ? "Satisfaction check sent" : $"Reminder {FollowUpsSent - 1} of the satisfaction check sent");
        return null;
    }

    /// <summary>
    /// The customer's answer to the satisfaction check: 4 or 5 closes the case as Recovered; 1 to 3 reopens it one
    /// severity level higher (so at a raised priority), with the answer as the reason.
    /// </summary>
    public DomainError? AnswerFollowUp(int score, string? comment, Customers.ValueTier customerTier, DateTimeOffset now, Actor? recordedBy = null)
    {
        var error = RecordFollowUp(score, comment, now, recordedBy);
        if (error is not null)
        {
            return error;
        }

        if (score >= 4)
        {
            return Close(null, now, CaseOutcome.Recovered, null);
        }

        error = Reopen(null, now, $"Follow-up answer {score}/5" + (FollowUpComment is null ? "" : $": {FollowUpComment}"));
        if (error is null && Severity < Severity.Critical)
        {
            Severity++;
            Priority = PriorityPolicy.Compute(Severity, customerTier, Channel, RepeatFailure);
            Append(TimelineEntryKind.SeverityChanged, null, now, $"Severity raised to {Severity} after a negative follow-up; priority {Priority}");
        }

        return error;
    }

    /// <summary>
    /// Says whether detection was right about this case: <see cref="Cases.DetectionVerdict.Confirmed"/> (the customer was
    /// unhappy) or <see cref="Cases.DetectionVerdict.NotAProblem"/>. Only a case a signal opened or went onto; saying it
    /// again with the other word changes it, on the timeline both times.
    /// </summary>
    public DomainError? JudgeDetection(DetectionVerdict verdict, Actor by, DateTimeOffset now)
    {
        if (DetectedRisk is null)
        {
            return DomainError.Invalid("case.not_detected", "verdict", "Only a case detection opened or flagged takes a verdict on detection.");
        }

        if (!Enum.IsDefined(verdict))
        {
            return DomainError.Invalid("case.verdict_invalid", "verdict", "The verdict is Confirmed or NotAProblem.");
        }

        if (DetectionVerdict == verdict)
        {
            return null;
        }

        (DetectionVerdict, DetectionJudgedBy, DetectionJudgedAt) = (verdict, by.Id, now.UtcDateTime);
        Touch(now);
        Append(TimelineEntryKind.DetectionJudged, by, now, verdict == Cases.DetectionVerdict.Confirmed
            ? "Detection confirmed: this customer was unhappy, and detection was right to raise it."
            : "Not a problem: detection was wrong about this customer. Detection learns from this.");
        return null;
    }

    /// <summary>The customer's record was merged into another (the same person): the case now belongs to the record kept, and says so.</summary>
    public void MoveToCustomer(Customer survivor, string duplicateName, Actor by, DateTimeOffset now)
    {
        CustomerId = survivor.Id;
        CustomerName = survivor.Name;
        Touch(now);
        Append(TimelineEntryKind.CustomerMerged, by, now,
            $"The customer records \"{duplicateName}\" and \"{survivor.Name}\" were found to be one person and merged: this case now belongs to {survivor.Name}.");
    }

    /// <summary>The customer's data was erased at their request: the free text they wrote goes; the case's figures stay.</summary>
    public void EraseCustomerText(DateTimeOffset now)
    {
        FollowUpComment = null;
        CustomerName = Customer.ErasedName;
        LastCustomerMessage = null;
        Touch(now);
    }

    /// <summary>One line of at most <see cref="SnippetLength"/> characters: white space folded, cut at a word with an ellipsis.</summary>
    public static string Snippet(string text)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (line.Length <= SnippetLength)
        {
            return line;
        }

        var cut = line.LastIndexOf(' ', SnippetLength - 1);
        return line[..(cut > SnippetLength / 2 ? cut : SnippetLength - 1)] + "…";
    }

    /// <summary>
    /// The list order: a case that has breached an SLA clock at the time it was opened (before any due time, so the
    /// breached come first, oldest first), otherwise the due time of the running clock (a clock past due sorts before
    /// every clock still running), or <see cref="NoDeadline"/> when none runs. So "breached" is exactly "urgency in
    /// the past", one range of the urgency indexes.
    /// </summary>
    private DateTime Urgency() =>
        Sla.AcknowledgeBreached || Sla.ResolveBreached ? CreatedAt : Sla.AcknowledgeBy ?? Sla.ResolveBy ?? NoDeadline;

    private DateTime Risk()
    {
        if (Sla.AcknowledgeBreached || Sla.ResolveBreached)
        {
            return NoDeadline;
        }

        var (due, warn) = Sla.AcknowledgeBy is { } ack ? (ack, Sla.AcknowledgeWarnAt) : Sla.ResolveBy is { } resolve ? (resolve, Sla.ResolveWarnAt) : (NoDeadline, NoDeadline);
        if (due == NoDeadline)
        {
            return NoDeadline;
        }

        var stretch = due - AtRiskStretch;
        return warn is { } w && w < stretch ? w : warn is null ? CreatedAt : stretch;
    }

    private void Rekey()
    {
        UrgencyKey = Urgency();
        RiskKey = Risk();
    }

    /// <summary>Brings the SLA clocks in line with the case after a change; call after every change that was accepted.</summary>
    public void ReconcileSla(Sla.SlaPolicy policy, Sla.BusinessCalendar calendar, DateTimeOffset now)
    {
        Sla.Reconcile(this, policy, calendar, now);
        Rekey();
    }

    /// <summary>Records each SLA warning and breach that has fallen due, once, on the timeline.</summary>
    public IReadOnlyList<Sla.SlaEvent> CheckSla(Sla.BusinessCalendar calendar, DateTimeOffset now)
    {
        var events = Sla.Check(calendar, now);
        Rekey();
        if (events.Count == 0)
        {
            return events;
        }

        Touch(now);
        foreach (var e in events)
        {
            var what = e.Clock switch
            {
                Amends.Domain.Sla.SlaClockKind.Acknowledge => "first response",
                Amends.Domain.Sla.SlaClockKind.Update => "next update to the customer",
                _ => "resolution",
            };
            var due = e.DueAt.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
            Append(e.Breach ? TimelineEntryKind.SlaBreached : TimelineEntryKind.SlaWarning, null, now,
                e.Breach ? $"SLA breached: {what} was due {due}" : $"SLA at risk: {what} is due {due}");
        }

        return events;
    }

    private DomainError? Move(CaseStatus to, Actor? by, DateTimeOffset now, string? reason)
    {
        if (!Lifecycle.Contains((Status, to)))
        {
            return Illegal(to);
        }

        var from = Status;
        Status = to;
        IsOpen = to != CaseStatus.Closed;
        Touch(now);
        Append(TimelineEntryKind.StatusChanged, by, now, reason, from, to);
        return null;
    }

    private DomainError Illegal(CaseStatus to) => DomainError.Conflict(
        "case.illegal_transition",
        Status == CaseStatus.Closed && to != CaseStatus.Resolving
            ? "The case is closed; reopen it first."
            : $"A case cannot go from {Status} to {to}.");

    private void SetOwner(Actor owner, Actor by, DateTimeOffset now)
    {
        OwnerId = owner.Id;
        CoverOwnerId = null;
        Touch(now);
        Append(TimelineEntryKind.Assigned, by, now, owner: owner);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now.UtcDateTime;
        Version++;
    }

    private void Append(
        TimelineEntryKind kind,
        Actor? by,
        DateTimeOffset now,
        string? body = null,
        CaseStatus? from = null,
        CaseStatus? to = null,
        Actor? owner = null,
        Channel? channel = null,
        Guid? messageId = null,
        Guid? signalId = null)
    {
        // Entries written in one operation share a clock reading; a microsecond apart keeps their order on both
        // databases (PostgreSQL keeps microseconds).
        if (_timeline.Count > 0 && now.UtcDateTime <= _timeline[^1].At)
        {
            now = new DateTimeOffset(_timeline[^1].At.AddTicks(TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
        }

        _timeline.Add(TimelineEntry.Create(Id, Version, kind, by, now, body, from, to, owner, channel, messageId, signalId));
    }

    private void ClearEscalation()
    {
        Escalation = EscalationState.None;
        EscalationReason = null;
        EscalatedAt = null;
        EscalationSupervisorId = null;
    }

    private static string Words(EscalationReason reason) => reason switch
    {
        Cases.EscalationReason.SlaBreach => "SLA breached",
        Cases.EscalationReason.RepeatFailure => "Repeat failure for this customer",
        Cases.EscalationReason.CustomerAskedForManager => "Customer asked for a manager",
        Cases.EscalationReason.VeryHighPriority => "Very high priority",
        _ => "Owner asked for help",
    };

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Describe(CaseOutcome outcome, string? reason) => reason is null ? $"Closed as {outcome}" : $"Closed as {outcome}: {reason}";
}
