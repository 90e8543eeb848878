using Amends.Domain.Common;

namespace Amends.Web.Features.Messaging;

/// <summary>How a mail connection is secured: <c>None</c> (a local relay), <c>StartTls</c> (upgrade, port 587 or 143) or <c>Tls</c> (from the first byte, port 465 or 993).</summary>
public enum MailSecurity
{
    None,
    StartTls,
    Tls,
}

/// <summary>A mail server Amends talks to (the <c>Amends:Email:Smtp</c> and <c>Amends:Email:Imap</c> sections).</summary>
public class MailServerOptions
{
    public string? Host { get; set; }

    /// <summary>Unset: the usual port for <see cref="Security"/> (SMTP 25 / 587 / 465, IMAP 143 / 143 / 993).</summary>
    public int? Port { get; set; }

    public MailSecurity Security { get; set; } = MailSecurity.StartTls;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>SMTP: the sender customers see, as in <c>Care team &lt;care@shop.example&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>IMAP: the folder to read (default INBOX).</summary>
    public string Folder { get; set; } = "INBOX";

    public bool Configured => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>The <c>Amends:Email:Imap</c> section: the support mailbox Amends reads customers' e-mail from.</summary>
public sealed class ImapServerOptions : MailServerOptions
{
    /// <summary>How often the mailbox is read when the server has no IDLE, and how long one IDLE lasts before it is renewed.</summary>
    public double PollSeconds { get; set; } = 60;

    /// <summary>The longest pause between attempts to connect again while the server cannot be reached (from 1 s, doubling).</summary>
    public double LongestRetrySeconds { get; set; } = 300;

    /// <summary>Attachments kept per message, in all; larger ones are named on the timeline and not kept.</summary>
    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;
}

/// <summary>The <c>Amends:Email</c> section.</summary>
public sealed class EmailOptions
{
    public MailServerOptions Smtp { get; set; } = new();

    public ImapServerOptions Imap { get; set; } = new();
}

/// <summary>One webhook channel (<c>Amends:Channels:{name}</c>): outbound messages are POSTed to <see cref="Url"/>, signed with <see cref="Secret"/>.</summary>
public sealed class WebhookChannelOptions
{
    public string? Url { get; set; }

    /// <summary>A Standard Webhooks secret (<c>whsec_…</c>, base64); signs what we send and checks what we receive.</summary>
    public string? Secret { get; set; }

    /// <summary>What kind of channel it is (Sms, Chat, Social, Review, Web); unset, its name says (a channel "sms" is Sms), else Chat.</summary>
    public Channel? Kind { get; set; }

    public Channel KindFor(string name) => Kind ?? (Enum.TryParse<Channel>(name, ignoreCase: true, out var parsed) && Routes.CanWrite(parsed) ? parsed : Channel.Chat);
}

/// <summary>Who the customer hears from (<c>Amends:Organisation</c>): shown on the status page and in messages.</summary>
public sealed class OrganisationOptions
{
    public string Name { get; set; } = "Amends demo shop";

    /// <summary>An absolute https URL of a logo, or a path under wwwroot.</summary>
    public string? LogoUrl { get; set; }

    /// <summary>The brand colour as #rrggbb.</summary>
    public string Color { get; set; } = "#3f51b5";
}

/// <summary>The outbox worker's settings (<c>Amends:Outbox</c>).</summary>
public sealed class OutboxOptions
{
    /// <summary>How often an idle worker looks for due messages, in seconds; a message queued on this instance wakes it at once.</summary>
    public double PollSeconds { get; set; } = 2;

    public int BatchSize { get; set; } = 200;

    /// <summary>How long a worker owns the messages it claimed; another instance takes over ones whose lease ran out.</summary>
    public int LeaseSeconds { get; set; } = 120;

    public bool Enabled { get; set; } = true;

    /// <summary>The wait after the first failed attempt; it doubles with each further one (with jitter) up to <see cref="LongestRetrySeconds"/>.</summary>
    public double FirstRetrySeconds { get; set; } = 30;

    public double LongestRetrySeconds { get; set; } = 3600;

    /// <summary>Readiness turns Degraded when a message has waited this many minutes to go.</summary>
    public double LagWarningMinutes { get; set; } = 10;
}

/// <summary>The channels of a customer Amends can write to, and how each leaves the building.</summary>
public static class Routes
{
    public const string Smtp = "smtp";
    public const string Mailbox = "mailbox";
    public const string WebhookPrefix = "webhook:";

    public static string Webhook(string channel) => WebhookPrefix + channel.ToLowerInvariant();

    /// <summary>Whether a message can be written to the customer on <paramref name="channel"/> (a phone call is logged instead).</summary>
    public static bool CanWrite(Channel channel) => channel is not (Channel.Phone or Channel.InPerson);
}
