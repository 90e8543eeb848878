using Amends.Domain.Common;
using Amends.Domain.Customers;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Amends.Web.Features.Messaging;

/// <summary>Where a message to a customer goes: the route that carries it and the address on that channel.</summary>
public sealed record Destination(string Route, string Address);

/// <summary>
/// Decides how a message on a channel leaves: e-mail through SMTP when <c>Amends:Email:Smtp:Host</c> is set, a channel
/// with <c>Amends:Channels:{channel}:Url</c> through its webhook, anything else to the built-in Mailbox (the demo, or a
/// channel not yet connected), so nothing a customer should read is silently dropped.
/// </summary>
public sealed class ChannelRouter(IOptionsMonitor<EmailOptions> email, IConfiguration configuration)
{
    public bool SmtpConfigured => email.CurrentValue.Smtp.Configured;

    /// <summary>Whether any real channel is configured; without one, every message lands in the Mailbox (a banner says so).</summary>
    public bool AnyRealChannel => SmtpConfigured || WebhookChannels().Count > 0;

    /// <summary>The configured webhook channels by name (lower case).</summary>
    public IReadOnlyDictionary<string, WebhookChannelOptions> WebhookChannels() =>
        configuration.GetSection("Amends:Channels").GetChildren()
            .Select(s => (Name: s.Key.ToLowerInvariant(), Options: s.Get<WebhookChannelOptions>()))
            .Where(c => c.Options is { Url: { Length: > 0 } })
            .ToDictionary(c => c.Name, c => c.Options!);

    /// <summary>The domain our Message-IDs end in: the sender address's, so replies come back to where they belong.</summary>
    public string MessageIdDomain =>
        MailboxAddress.TryParse(email.CurrentValue.Smtp.From ?? "", out var from) && from.Domain is { Length: > 0 } domain ? domain : "amends.local";

    public Result<Destination> Route(Customer customer, Channel channel)
    {
        if (!Routes.CanWrite(channel))
        {
            return DomainError.Invalid("reply.channel_not_writable", "channel", $"Nothing can be written to a customer on {channel}: log the call instead.");
        }

        var address = channel switch
        {
            Channel.Email => customer.Email,
            Channel.Sms => customer.Phone ?? customer.ContactPoints.FirstOrDefault(p => p.Channel == Channel.Sms)?.Address,
            _ => customer.ContactPoints.FirstOrDefault(p => p.Channel == channel)?.Address,
        };
        if (string.IsNullOrWhiteSpace(address))
        {
            return DomainError.Invalid("reply.no_address", "channel",
                $"{customer.Name} has no {Words(channel)} on file: add one on their page, or reply on another channel.");
        }

        var route = channel == Channel.Email
            ? SmtpConfigured ? Routes.Smtp : Routes.Mailbox
            : WebhookChannels().ContainsKey(channel.ToString().ToLowerInvariant()) ? Routes.Webhook(channel.ToString()) : Routes.Mailbox;
        return Result<Destination>.Ok(new Destination(route, address));
    }

    private static string Words(Channel channel) => channel switch
    {
        Channel.Email => "e-mail address",
        Channel.Sms => "mobile number",
        _ => channel + " contact",
    };
}
