using Amends.Domain.Common;

namespace Amends.Domain.Cases;

/// <summary>
/// One immutable line of a case's shared history. <see cref="ActorName"/> is the name at the time;
/// a null actor means the system did it.
/// </summary>
public sealed class TimelineEntry
{
    private TimelineEntry()
    {
    }

    public Guid Id { get; private set; }

    public CaseId CaseId { get; private set; }

    public TimelineEntryKind Kind { get; private set; }

    /// <summary>UTC.</summary>
    public DateTime At { get; private set; }

    /// <summary>The case's version when the entry was written: orders entries even when clocks tie.</summary>
    public long Sequence { get; private set; }

    public UserId? ActorId { get; private set; }

    public string? ActorName { get; private set; }

    /// <summary>Note or message text, or a short reason for a state change.</summary>
    public string? Body { get; private set; }

    public CaseStatus? FromStatus { get; private set; }

    public CaseStatus? ToStatus { get; private set; }

    /// <summary>For <see cref="TimelineEntryKind.Assigned"/>: the new owner.</summary>
    public UserId? OwnerId { get; private set; }

    public string? OwnerName { get; private set; }

    /// <summary>For messages: the channel it came in or went out on.</summary>
    public Channel? Channel { get; private set; }

    /// <summary>
    /// For messages to the customer: the outbox message that carries it. An outbound message without one was exchanged
    /// outside Amends and only recorded here; nothing is shown as sent unless it went through the outbox.
    /// </summary>
    public Guid? MessageId { get; private set; }

    /// <summary>For <see cref="TimelineEntryKind.Signal"/>: the signal it shows.</summary>
    public Guid? SignalId { get; private set; }

    internal static TimelineEntry Create(
        CaseId caseId,
        long sequence,
        TimelineEntryKind kind,
        Actor? actor,
        DateTimeOffset at,
        string? body = null,
        CaseStatus? from = null,
        CaseStatus? to = null,
        Actor? owner = null,
        Channel? channel = null,
        Guid? messageId = null,
        Guid? signalId = null) => new()
        {
            Id = Guid.CreateVersion7(at),
            CaseId = caseId,
            Sequence = sequence,
            Kind = kind,
            At = at.UtcDateTime,
            ActorId = actor?.Id,
            ActorName = actor?.Name,
            Body = body,
            FromStatus = from,
            ToStatus = to,
            OwnerId = owner?.Id,
            OwnerName = owner?.Name,
            Channel = channel,
            MessageId = messageId,
            SignalId = signalId,
        };
}
