using Amends.Domain.Common;

namespace Amends.Domain.Messaging;

/// <summary>Where a message to a customer is on its way out.</summary>
public enum OutboxState
{
    /// <summary>Waiting for its next attempt (the first, or a retry after a transient failure).</summary>
    Queued,

    /// <summary>Kept back by the case's owner; it goes when released.</summary>
    Held,

    /// <summary>Handed to the channel (the SMTP server accepted it, the webhook answered 2xx).</summary>
    Sent,

    /// <summary>The channel says it reached the customer (the built-in Mailbox always does).</summary>
    Delivered,

    /// <summary>Stopped at a permanent failure, or after the last retry; the reason says which.</summary>
    Failed,

    /// <summary>Cancelled by an admin (or withdrawn by the owner) before it went.</summary>
    Cancelled,
}

/// <summary>Why a message is sent.</summary>
public enum MessageKind
{
    /// <summary>An agent's reply from the composer.</summary>
    Reply,

    /// <summary>An automatic update after a customer-visible change.</summary>
    Update,

    /// <summary>The satisfaction check, or a reminder of it.</summary>
    FollowUp,

    /// <summary>A staff member's password reset.</summary>
    PasswordReset,

    /// <summary>Sent to a customer an incident hit, before they complain (no case of its own).</summary>
    Proactive,
}

/// <summary>What a channel said about one attempt.</summary>
public enum SendStatus
{
    Sent,
    Delivered,

    /// <summary>Worth another try later: the server is down, busy, or answered 4xx.</summary>
    Transient,

    /// <summary>Will never work as it is: the server refused it for good (5xx, a hard bounce).</summary>
    Permanent,
}

/// <summary>
/// One message to a customer (or a staff member), written to the outbox in the same transaction as the change that
/// causes it and delivered by a worker that claims it with a lease. Its <see cref="HeaderMessageId"/> is fixed when it
/// is queued, so a resend after a crash carries the same id and the receiver can drop the copy.
/// </summary>
public sealed class OutboundMessage
{
    public const int MaxAttempts = 10;
    public const int MaxSubjectLength = 300;
    public const int MaxErrorLength = 1000;
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromHours(1);

    private OutboundMessage()
    {
    }

    public Guid Id { get; private set; }

    public CaseId? CaseId { get; private set; }

    public CustomerId? CustomerId { get; private set; }

    public MessageKind Kind { get; private set; }

    /// <summary>The customer's channel the message is for.</summary>
    public Channel Channel { get; private set; }

    /// <summary>How it leaves: <c>smtp</c>, <c>mailbox</c> (the built-in one, when no real channel is configured) or <c>webhook:{name}</c>.</summary>
    public string Route { get; private set; } = "";

    public string To { get; private set; } = "";

    public string? ToName { get; private set; }

    public string Subject { get; private set; } = "";

    public string TextBody { get; private set; } = "";

    public string? HtmlBody { get; private set; }

    /// <summary>Sent without a person pressing send (an update, a reminder): mail carries <c>Auto-Submitted: auto-generated</c>.</summary>
    public bool Automatic { get; private set; }

    /// <summary>For automatic messages: where the customer stops them with one click (RFC 8058 <c>List-Unsubscribe</c>).</summary>
    public string? UnsubscribeUrl { get; private set; }

    /// <summary>The RFC 5322 Message-ID (with angle brackets); also the <c>webhook-id</c> on webhook channels.</summary>
    public string HeaderMessageId { get; private set; } = "";

    public string? InReplyTo { get; private set; }

    /// <summary>Space-separated Message-IDs of the conversation so far, oldest first.</summary>
    public string? References { get; private set; }

    public OutboxState State { get; private set; }

    public int Attempts { get; private set; }

    /// <summary>UTC; when the worker may next try it.</summary>
    public DateTime NextAttemptAt { get; private set; }

    public Guid? LeaseOwner { get; private set; }

    public DateTime? LeaseUntil { get; private set; }

    public string? LastError { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime? SentAt { get; private set; }

    public DateTime? DeliveredAt { get; private set; }

    /// <summary>When it failed for good or was cancelled.</summary>
    public DateTime? EndedAt { get; private set; }

    public UserId? CreatedById { get; private set; }

    public string? CreatedByName { get; private set; }

    /// <summary>The timeline entry that shows the message on its case.</summary>
    public Guid? TimelineEntryId { get; private set; }

    /// <summary>Bumped by every change of state; admins' retries and cancels are checked against it.</summary>
    public long Version { get; private set; }

    public static OutboundMessage Queue(
        MessageKind kind,
        Channel channel,
        string route,
        string to,
        string? toName,
        string subject,
        string textBody,
        string? htmlBody,
        string messageIdDomain,
        DateTimeOffset now,
        CaseId? caseId = null,
        CustomerId? customerId = null,
        Actor? by = null,
        bool automatic = false,
        string? inReplyTo = null,
        string? references = null,
        Guid? timelineEntryId = null,
        DateTimeOffset? notBefore = null,
        Guid? id = null,
        string? unsubscribeUrl = null)
    {
        var messageId = id ?? Guid.CreateVersion7(now);
        return new OutboundMessage
        {
            Id = messageId,
            Kind = kind,
            Channel = channel,
            Route = route,
            To = to,
            ToName = toName,
            Subject = subject.Length > MaxSubjectLength ? subject[..MaxSubjectLength] : subject,
            TextBody = textBody,
            HtmlBody = htmlBody,
            HeaderMessageId = $"<{messageId:N}@{messageIdDomain}>",
            InReplyTo = inReplyTo,
            References = references,
            Automatic = automatic,
            UnsubscribeUrl = unsubscribeUrl,
            CaseId = caseId,
            CustomerId = customerId,
            CreatedById = by?.Id,
            CreatedByName = by?.Name,
            TimelineEntryId = timelineEntryId,
            State = OutboxState.Queued,
            CreatedAt = now.UtcDateTime,
            NextAttemptAt = (notBefore ?? now).UtcDateTime,
            Version = 1,
        };
    }

    /// <summary>
    /// How long to wait after the <paramref name="attempt"/>-th failed attempt: doubling from 30 s up to an hour, with
    /// "equal jitter" (half fixed, half random) so that many messages failing together do not retry in lockstep.
    /// </summary>
    public static TimeSpan Backoff(int attempt, double random, TimeSpan? first = null, TimeSpan? longest = null)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 20);
        var ceiling = Math.Min((longest ?? LongestRetry).TotalSeconds, (first ?? FirstRetry).TotalSeconds * Math.Pow(2, exponent));
        return TimeSpan.FromSeconds(ceiling / 2 + ceiling / 2 * Math.Clamp(random, 0, 1));
    }

    /// <summary>An admin sends a failed or cancelled message again, from a fresh count of attempts.</summary>
    public DomainError? Retry(DateTimeOffset now)
    {
        if (State is not (OutboxState.Failed or OutboxState.Cancelled))
        {
            return DomainError.Conflict("outbox.not_retryable", $"Only a failed or cancelled message can be sent again; this one is {State}.");
        }

        State = OutboxState.Queued;
        Attempts = 0;
        EndedAt = null;
        NextAttemptAt = now.UtcDateTime;
        Version++;
        return null;
    }

    /// <summary>
    /// A bounce came back for a message that went out: it failed for good, with the receiving server's reason. False when
    /// it had not gone (nothing to fail) or had failed already.
    /// </summary>
    public bool Bounce(string reason, DateTimeOffset now)
    {
        if (State is not (OutboxState.Sent or OutboxState.Delivered))
        {
            return false;
        }

        State = OutboxState.Failed;
        LastError = Reason("Bounced: " + reason);
        EndedAt = now.UtcDateTime;
        Version++;
        return true;
    }

    /// <summary>The receiving side says it was delivered (a delivery report). False when it was not sent or is known already.</summary>
    public bool ConfirmDelivered(DateTimeOffset now)
    {
        if (State != OutboxState.Sent)
        {
            return false;
        }

        State = OutboxState.Delivered;
        DeliveredAt = now.UtcDateTime;
        Version++;
        return true;
    }

    /// <summary>Stops a message that has not gone yet. One being sent at this moment cannot be stopped.</summary>
    public DomainError? Cancel(DateTimeOffset now)
    {
        if (State is not (OutboxState.Queued or OutboxState.Held or OutboxState.Failed))
        {
            return DomainError.Conflict("outbox.not_cancellable", $"A {State} message cannot be cancelled.");
        }

        if (LeaseUntil is { } lease && lease > now.UtcDateTime && State == OutboxState.Queued)
        {
            return DomainError.Conflict("outbox.sending", "The message is being sent at this moment; look again in a few seconds.");
        }

        State = OutboxState.Cancelled;
        EndedAt = now.UtcDateTime;
        Version++;
        return null;
    }

    /// <summary>The owner keeps an automatic message back before it goes.</summary>
    public DomainError? Hold(DateTimeOffset now)
    {
        if (State != OutboxState.Queued || (LeaseUntil is { } lease && lease > now.UtcDateTime))
        {
            return DomainError.Conflict("outbox.not_holdable", State == OutboxState.Queued
                ? "The message is being sent at this moment."
                : $"Only a queued message can be held; this one is {State}.");
        }

        State = OutboxState.Held;
        Version++;
        return null;
    }

    /// <summary>A held message goes now.</summary>
    public DomainError? Release(DateTimeOffset now)
    {
        if (State != OutboxState.Held)
        {
            return DomainError.Conflict("outbox.not_held", $"Only a held message can be released; this one is {State}.");
        }

        State = OutboxState.Queued;
        NextAttemptAt = now.UtcDateTime;
        Version++;
        return null;
    }

    /// <summary>Replaces the text of a queued automatic update with a newer one (coalescing a burst of changes into one message).</summary>
    public bool Supersede(string subject, string textBody, string? htmlBody)
    {
        if (State is not (OutboxState.Queued or OutboxState.Held) || !Automatic || LeaseOwner is not null && LeaseUntil is not null)
        {
            return false;
        }

        Subject = subject.Length > MaxSubjectLength ? subject[..MaxSubjectLength] : subject;
        TextBody = textBody;
        HtmlBody = htmlBody;
        Version++;
        return true;
    }

    /// <summary>The short reason kept for a failed attempt.</summary>
    public static string Reason(string? error) =>
        string.IsNullOrWhiteSpace(error) ? "Unknown error" : error.Length > MaxErrorLength ? error[..MaxErrorLength] : error.Trim();
}

/// <summary>A file an agent attached to a message.</summary>
public sealed class OutboundAttachment
{
    public const int MaxBytesPerMessage = 10 * 1024 * 1024;
    public const int MaxPerMessage = 10;

    private OutboundAttachment()
    {
    }

    public Guid Id { get; private set; }

    public Guid MessageId { get; private set; }

    public string FileName { get; private set; } = "";

    public string ContentType { get; private set; } = "";

    public long Size { get; private set; }

    public byte[] Content { get; private set; } = [];

    public static OutboundAttachment Create(Guid messageId, string fileName, string contentType, byte[] content) => new()
    {
        Id = Guid.CreateVersion7(),
        MessageId = messageId,
        FileName = fileName,
        ContentType = contentType,
        Size = content.LongLength,
        Content = content,
    };
}
