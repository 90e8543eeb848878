using Amends.Domain.Messaging;

namespace Amends.Web.Features.Messaging.Transports;

/// <summary>What one attempt to send one message came to; <see cref="Status"/> null means it was not tried (the worker ran out of lease).</summary>
public sealed record SendResult(Guid MessageId, SendStatus? Status, string? Error = null)
{
    public static SendResult NotTried(Guid id) => new(id, null);
}

/// <summary>A message with its attachments, as a transport sends it.</summary>
public sealed record Outgoing(OutboundMessage Message, IReadOnlyList<OutboundAttachment> Attachments);

/// <summary>A way out of the building: SMTP, a webhook channel, the built-in Mailbox.</summary>
public interface IMessageTransport
{
    bool Handles(string route);

    /// <summary>
    /// Sends a batch of messages of one route, in order, and says what became of each. Stops trying once
    /// <paramref name="deadline"/> passes (the worker's lease is running short); those come back not tried.
    /// </summary>
    Task<IReadOnlyList<SendResult>> SendAsync(string route, IReadOnlyList<Outgoing> batch, DateTimeOffset deadline, CancellationToken ct);
}

/// <summary>
/// The built-in Mailbox: with no real channel configured (the demo), a message is "delivered" to the Mailbox page, which
/// shows it as the customer would see it. Nothing leaves the machine.
/// </summary>
public sealed class MailboxTransport : IMessageTransport
{
    public bool Handles(string route) => route == Routes.Mailbox;

    public Task<IReadOnlyList<SendResult>> SendAsync(string route, IReadOnlyList<Outgoing> batch, DateTimeOffset deadline, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<SendResult>>([.. batch.Select(o => new SendResult(o.Message.Id, SendStatus.Delivered))]);
}
