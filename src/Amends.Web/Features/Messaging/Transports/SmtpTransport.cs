using System.Net.Sockets;
using Amends.Domain.Messaging;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Amends.Web.Features.Messaging.Transports;

/// <summary>
/// E-mail through the SMTP server of <c>Amends:Email:Smtp</c> (MailKit): one connection per batch, multipart text + HTML
/// with the agent's attachments, the message's fixed Message-ID and the case's In-Reply-To / References, and
/// <c>Auto-Submitted: auto-generated</c> on automatic messages. A 5xx reply is permanent; a 4xx reply, a refused or
/// dropped connection, or a timeout is transient and retried later.
/// </summary>
public sealed class SmtpTransport(IOptionsMonitor<EmailOptions> options, TimeProvider time, ILogger<SmtpTransport> logger) : IMessageTransport
{
    public bool Handles(string route) => route == Routes.Smtp;

    public async Task<IReadOnlyList<SendResult>> SendAsync(string route, IReadOnlyList<Outgoing> batch, DateTimeOffset deadline, CancellationToken ct)
    {
        var smtp = options.CurrentValue.Smtp;
        var results = new List<SendResult>(batch.Count);
        if (!smtp.Configured)
        {
            return [.. batch.Select(o => new SendResult(o.Message.Id, SendStatus.Transient, "SMTP is not configured (Amends:Email:Smtp:Host)"))];
        }

        if (!MailboxAddress.TryParse(smtp.From ?? "", out var from))
        {
            return [.. batch.Select(o => new SendResult(o.Message.Id, SendStatus.Transient, "Amends:Email:Smtp:From is not an address, as in Care <care@shop.example>"))];
        }

        using var client = new SmtpClient { Timeout = 30_000 };
        try
        {
            await client.ConnectAsync(smtp.Host!, Port(smtp), Secure(smtp.Security), ct);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or SmtpProtocolException or SmtpCommandException
            or AuthenticationException or SslHandshakeException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("SMTP server {Host} unreachable: {Error}", smtp.Host, ex.Message);
            return [.. batch.Select(o => new SendResult(o.Message.Id, SendStatus.Transient, $"SMTP server {smtp.Host}: {ex.Message}"))];
        }

        foreach (var outgoing in batch)
        {
            if (time.GetUtcNow() >= deadline || !client.IsConnected)
            {
                results.Add(SendResult.NotTried(outgoing.Message.Id));
                continue;
            }

            try
            {
                await client.SendAsync(Build(outgoing, from), ct);
                results.Add(new SendResult(outgoing.Message.Id, SendStatus.Sent));
            }
            catch (SmtpCommandException ex)
            {
                var code = (int)ex.StatusCode;
                results.Add(new SendResult(outgoing.Message.Id, code >= 500 ? SendStatus.Permanent : SendStatus.Transient, $"{code} {ex.Message}"));
            }
            catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or TimeoutException)
            {
                // The connection broke mid-batch: this one may or may not have gone; it is retried with the same Message-ID.
                results.Add(new SendResult(outgoing.Message.Id, SendStatus.Transient, $"SMTP connection lost: {ex.Message}"));
            }
        }

        if (client.IsConnected)
        {
            try
            {
                await client.DisconnectAsync(quit: true, ct);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or SocketException)
            {
                logger.LogDebug("SMTP QUIT failed after the batch: {Error}", ex.Message);
            }
        }

        return results;
    }

    /// <summary>The MIME message for one outbox message, as the customer's mail program receives it.</summary>
    public static MimeMessage Build(Outgoing outgoing, MailboxAddress from)
    {
        var m = outgoing.Message;
        var mime = new MimeMessage { Subject = m.Subject, MessageId = Bare(m.HeaderMessageId) };
        mime.From.Add(from);
        mime.To.Add(new MailboxAddress(m.ToName ?? "", m.To));
        if (m.InReplyTo is { } inReplyTo)
        {
            mime.InReplyTo = Bare(inReplyTo);
        }

        foreach (var reference in (m.References ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            mime.References.Add(Bare(reference));
        }

        if (m.Automatic)
        {
            mime.Headers.Add("Auto-Submitted", "auto-generated");
        }

        if (m.UnsubscribeUrl is { } unsubscribe)
        {
            mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new BodyBuilder { TextBody = m.TextBody, HtmlBody = m.HtmlBody };
        foreach (var attachment in outgoing.Attachments)
        {
            body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.TryParse(attachment.ContentType, out var type) ? type : new ContentType("application", "octet-stream"));
        }

        mime.Body = body.ToMessageBody();
        return mime;
    }

    public static int Port(MailServerOptions smtp) => smtp.Port ?? smtp.Security switch
    {
        MailSecurity.None => 25,
        MailSecurity.Tls => 465,
        _ => 587,
    };

    public static SecureSocketOptions Secure(MailSecurity security) => security switch
    {
        MailSecurity.None => SecureSocketOptions.None,
        MailSecurity.Tls => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    private static string Bare(string id) => id.Trim().TrimStart('<').TrimEnd('>');
}
