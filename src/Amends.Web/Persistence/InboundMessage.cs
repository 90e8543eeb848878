namespace Amends.Web.Persistence;

/// <summary>
/// A message a customer sent us through a channel (a webhook now; e-mail next), kept so that each is processed once:
/// unique by the channel's own id for it, and by the webhook delivery id, so a replayed delivery is refused.
/// </summary>
public sealed class InboundMessage
{
    public Guid Id { get; set; }

    /// <summary>The channel's name (<c>sms</c>, <c>chat</c> …, or <c>email</c>).</summary>
    public string Channel { get; set; } = "";

    public string ExternalId { get; set; } = "";

    public string? WebhookId { get; set; }

    public Guid CaseId { get; set; }

    /// <summary>Whether the message opened its case (else it was added to one).</summary>
    public bool Opened { get; set; }

    public DateTime ReceivedAt { get; set; }
}
