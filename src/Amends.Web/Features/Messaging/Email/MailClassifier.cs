using System.Text.RegularExpressions;
using MimeKit;

namespace Amends.Web.Features.Messaging.Email;

/// <summary>What a delivery status notification says about one of our messages.</summary>
public sealed record BounceReport(bool Failed, bool Delivered, string? Recipient, string Reason, IReadOnlyList<string> OriginalMessageIds);

/// <summary>How an incoming e-mail is to be taken: from a person, an automatic answer, or a bounce; and whether the server marked it as spam.</summary>
public sealed record MailVerdict(bool Automatic, string? AutomaticReason, BounceReport? Bounce, string? Spam);

/// <summary>
/// Reads what the headers say about a message before anything answers it: the mail server's spam verdict
/// (<c>X-Spam-Flag</c>, <c>X-Spam-Status</c>), an automatic answer (RFC 3834 <c>Auto-Submitted</c>, <c>Precedence:
/// bulk</c>, list mail, the usual out-of-office markers) and delivery status notifications (RFC 3464, and the
/// non-standard bounces some servers still send). Nothing automatic is ever answered automatically: no mail loops.
/// </summary>
public static partial class MailClassifier
{
    public static MailVerdict Classify(MimeMessage message)
    {
        var bounce = Bounce(message);
        var automatic = bounce is not null ? "a delivery status notification" : AutomaticReason(message);
        return new MailVerdict(automatic is not null, automatic, bounce, SpamReason(message));
    }

    public static string? SpamReason(MimeMessage message)
    {
        var flag = message.Headers["X-Spam-Flag"]?.Trim();
        if (string.Equals(flag, "YES", StringComparison.OrdinalIgnoreCase))
        {
            return "The mail server marked it as spam (X-Spam-Flag: YES).";
        }

        var status = message.Headers["X-Spam-Status"]?.Trim();
        return status is not null && status.StartsWith("Yes", StringComparison.OrdinalIgnoreCase)
            ? $"The mail server marked it as spam (X-Spam-Status: {MailText.Shorten(status, 200)})."
            : null;
    }

    public static string? AutomaticReason(MimeMessage message)
    {
        var submitted = message.Headers[HeaderId.AutoSubmitted]?.Trim();
        if (!string.IsNullOrEmpty(submitted) && !submitted.StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return $"Auto-Submitted: {MailText.Shorten(submitted, 60)}";
        }

        var precedence = message.Headers["Precedence"]?.Trim().ToLowerInvariant();
        if (precedence is "bulk" or "junk" or "list" or "auto_reply")
        {
            return $"Precedence: {precedence}";
        }

        foreach (var marker in new[] { "X-Autoreply", "X-Autorespond", "X-Autoresponder" })
        {
            if (message.Headers.Contains(marker))
            {
                return marker;
            }
        }

        if (message.Headers.Contains(HeaderId.ListId))
        {
            return "mailing-list mail (List-Id)";
        }

        return AutoSubject().IsMatch(message.Subject ?? "") ? "an out-of-office subject" : null;
    }

    /// <summary>The bounce report in a message, or null when it is not one.</summary>
    public static BounceReport? Bounce(MimeMessage message)
    {
        if (message.Body is MultipartReport report && string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return FromReport(report);
        }

        var from = message.From.Mailboxes.FirstOrDefault()?.LocalPart ?? "";
        var looksLikeBounce = from.Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase) || from.Equals("postmaster", StringComparison.OrdinalIgnoreCase)
            || BounceSubject().IsMatch(message.Subject ?? "");
        if (!looksLikeBounce)
        {
            return null;
        }

        // A bounce without the standard report: the reason is its text; the message it is about, any of our ids it quotes.
        var text = message.TextBody ?? MailText.FromHtml(message.HtmlBody);
        var ids = MessageIds().Matches(text).Select(m => m.Value).Distinct().ToList();
        var reason = MailText.Shorten(MailText.Normalize(text).Split('\n').FirstOrDefault(l => l.Length > 0) ?? "The message was returned.", 500);
        return new BounceReport(true, false, null, reason, ids);
    }

    private static BounceReport FromReport(MultipartReport report)
    {
        var ids = new List<string>();
        string? recipient = null;
        string? action = null;
        string? status = null;
        string? diagnostic = null;
        foreach (var part in report)
        {
            switch (part)
            {
                case MessageDeliveryStatus dsn:
                    // The first group is about the message; the others each about one recipient.
                    foreach (var group in dsn.StatusGroups.Skip(1))
                    {
                        action ??= group["Action"]?.Trim();
                        status ??= group["Status"]?.Trim();
                        diagnostic ??= group["Diagnostic-Code"]?.Trim();
                        recipient ??= Recipient(group["Final-Recipient"] ?? group["Original-Recipient"]);
                    }

                    break;
                case MessagePart { Message: { } original }:
                    AddId(ids, original.MessageId);
                    break;
                case TextPart headers when headers.ContentType.IsMimeType("text", "rfc822-headers"):
                    using (var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(headers.Text + "\r\n\r\n")))
                    {
                        var list = HeaderList.Load(stream);
                        AddId(ids, list[HeaderId.MessageId]);
                    }

                    break;
            }
        }

        var delivered = string.Equals(action, "delivered", StringComparison.OrdinalIgnoreCase) || string.Equals(action, "relayed", StringComparison.OrdinalIgnoreCase);
        var failed = string.Equals(action, "failed", StringComparison.OrdinalIgnoreCase) || (action is null && status?.StartsWith('5') == true);
        var reason = diagnostic is not null ? MailText.Shorten(diagnostic.Replace("smtp;", "", StringComparison.OrdinalIgnoreCase).Trim(), 500)
            : status is not null ? $"Status {status}" : "The receiving server returned the message.";
        return new BounceReport(failed, delivered, recipient, reason, ids);
    }

    private static void AddId(List<string> ids, string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return;
        }

        var trimmed = id.Trim();
        ids.Add(trimmed.StartsWith('<') ? trimmed : $"<{trimmed}>");
    }

    private static string? Recipient(string? field)
    {
        if (field is null)
        {
            return null;
        }

        var semicolon = field.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? field[(semicolon + 1)..] : field).Trim();
    }

    [GeneratedRegex(@"^\s*(Auto(matic)?[ -]?(reply|response|antwort)|Auto:|Out of (the )?office|Abwesenheitsnotiz|Réponse automatique|Respuesta automática)", RegexOptions.IgnoreCase)]
    private static partial Regex AutoSubject();

    [GeneratedRegex(@"^\s*(Undeliver(able|ed)|Undelivered Mail Returned|Delivery Status Notification|Mail delivery failed|Returned mail|Delivery Failure|Non remis|Unzustellbar)", RegexOptions.IgnoreCase)]
    private static partial Regex BounceSubject();

    [GeneratedRegex(@"<[^<>\s@]+@[^<>\s@]+>")]
    private static partial Regex MessageIds();
}
