namespace Amends.Web.Persistence;

/// <summary>What became of an e-mail read from the support mailbox.</summary>
public enum InboundEmailState
{
    /// <summary>Added to the case it answers.</summary>
    Attached,

    /// <summary>Opened a new case.</summary>
    Opened,

    /// <summary>The mail server marked it as spam: waiting in the Spam view for an agent to open a case or drop it.</summary>
    Spam,

    /// <summary>An agent dropped it from the Spam view.</summary>
    Dropped,

    /// <summary>An automatic reply (out of office, a list) that answers no case of ours: kept, never answered.</summary>
    AutomaticReply,

    /// <summary>A delivery status notification about a message we sent.</summary>
    Bounce,

    /// <summary>Our own message, seen in the mailbox (a copy to ourselves): nothing to do.</summary>
    Ours,
}

/// <summary>
/// An e-mail read from the support mailbox, kept whole: the text shown on the timeline is <see cref="NewText"/> (quoted
/// history and signature folded away), the original stays in <see cref="Text"/> and <see cref="Html"/> (sanitised).
/// Unique by its <c>Message-ID</c>, so a message seen again (an interrupted poll, two instances polling) is stored once.
/// </summary>
public sealed class InboundEmail
{
    public const int MaxTextLength = 200_000;

    public Guid Id { get; set; }

    /// <summary>The <c>Message-ID</c> header with its angle brackets; for a message without one, a digest of its content.</summary>
    public string HeaderMessageId { get; set; } = "";

    public string FromAddress { get; set; } = "";

    public string? FromName { get; set; }

    public string Subject { get; set; } = "";

    /// <summary>The message's own Date header (UTC), when it had a readable one.</summary>
    public DateTime? SentAt { get; set; }

    public DateTime ReceivedAt { get; set; }

    public InboundEmailState State { get; set; }

    /// <summary>Why it is where it is, in words (the spam verdict, the bounce's diagnostic, how it was threaded).</summary>
    public string? Reason { get; set; }

    public Guid? CaseId { get; set; }

    /// <summary>The new text the customer wrote: what the timeline shows.</summary>
    public string NewText { get; set; } = "";

    /// <summary>The whole text as it arrived (from the HTML when the message had no text part), quotes and signature included.</summary>
    public string Text { get; set; } = "";

    /// <summary>The HTML part, sanitised (no scripts, no remote content), or null when there was none.</summary>
    public string? Html { get; set; }

    /// <summary>Attachments not kept because they were over the size limit, in words; null when all were kept.</summary>
    public string? AttachmentsOmitted { get; set; }

    /// <summary>Who opened a case from, or dropped, a message in the Spam view, and when (UTC).</summary>
    public Guid? HandledBy { get; set; }

    public DateTime? HandledAt { get; set; }

    public long Version { get; set; }
}

/// <summary>A file that came with a customer's e-mail: shown to staff only, never served inline.</summary>
public sealed class InboundEmailAttachment
{
    public Guid Id { get; set; }

    public Guid EmailId { get; set; }

    public string FileName { get; set; } = "";

    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    public byte[] Content { get; set; } = [];
}

/// <summary>How far an IMAP folder has been read: every UID up to <see cref="LastUid"/> of its <see cref="UidValidity"/> is stored.</summary>
public sealed class MailboxCursor
{
    /// <summary><c>user@host/folder</c>.</summary>
    public string Mailbox { get; set; } = "";

    public long UidValidity { get; set; }

    public long LastUid { get; set; }

    public DateTime UpdatedAt { get; set; }
}
