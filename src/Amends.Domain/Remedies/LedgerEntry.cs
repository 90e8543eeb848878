using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Amends.Domain.Remedies;

/// <summary>
/// One append-only entry of the audit ledger: who did what to which subject, when, with the state before and after.
/// Each entry's <see cref="Hash"/> covers its own fields and the previous entry's hash, so changing or removing any
/// stored entry breaks every hash after it.
/// </summary>
public sealed class LedgerEntry
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    private LedgerEntry()
    {
        Action = "";
        ActorName = "";
        Subject = "";
        PreviousHash = "";
        Hash = "";
    }

    /// <summary>1, 2, 3… with no gaps: the chain's order.</summary>
    public long Sequence { get; private set; }

    public DateTime At { get; private set; }

    /// <summary>A stable name such as <c>offer.granted</c> or <c>limit.changed</c>.</summary>
    public string Action { get; private set; }

    public Guid? ActorId { get; private set; }

    public string ActorName { get; private set; }

    /// <summary>What the entry is about, as <c>kind:id</c> (<c>offer:…</c>, <c>user:…</c>, <c>limit:role:Agent</c>).</summary>
    public string Subject { get; private set; }

    public Guid? CaseId { get; private set; }

    /// <summary>The value concerned, when there is one (minor units of <see cref="Currency"/>).</summary>
    public long? AmountMinor { get; private set; }

    public string? Currency { get; private set; }

    /// <summary>JSON of the subject's relevant state before the action (null when it did not exist).</summary>
    public string? Before { get; private set; }

    /// <summary>JSON of the subject's relevant state after the action.</summary>
    public string? After { get; private set; }

    public string? Reason { get; private set; }

    public string PreviousHash { get; private set; }

    public string Hash { get; private set; }

    public static LedgerEntry Append(
        LedgerEntry? previous, DateTimeOffset now, string action, Guid? actorId, string actorName, string subject, Guid? caseId,
        long? amountMinor, string? currency, string? before, string? after, string? reason)
    {
        var entry = new LedgerEntry
        {
            Sequence = (previous?.Sequence ?? 0) + 1,
            At = previous is not null && now.UtcDateTime <= previous.At ? previous.At.AddTicks(TimeSpan.TicksPerMicrosecond) : Truncate(now.UtcDateTime),
            Action = action,
            ActorId = actorId,
            ActorName = actorName,
            Subject = subject,
            CaseId = caseId,
            AmountMinor = amountMinor,
            Currency = currency,
            Before = before,
            After = after,
            Reason = reason,
            PreviousHash = previous?.Hash ?? Genesis,
        };
        entry.Hash = entry.ComputeHash();
        return entry;
    }

    /// <summary>SHA-256 over every field and the previous hash, in a fixed, length-prefixed text form.</summary>
    public string ComputeHash()
    {
        var text = new StringBuilder();
        void Field(string? value) => text.Append(value is null ? "-1:" : $"{value.Length}:{value}").Append('|');
        Field(Sequence.ToString(CultureInfo.InvariantCulture));
        Field(At.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));
        Field(Action);
        Field(ActorId?.ToString("D"));
        Field(ActorName);
        Field(Subject);
        Field(CaseId?.ToString("D"));
        Field(AmountMinor?.ToString(CultureInfo.InvariantCulture));
        Field(Currency);
        Field(Before);
        Field(After);
        Field(Reason);
        Field(PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    // Databases keep microseconds at most; hashing what is stored means hashing microseconds.
    private static DateTime Truncate(DateTime at) => new(at.Ticks - (at.Ticks % TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);
}

/// <summary>The result of checking the chain from the first entry to the last.</summary>
/// <param name="Intact">Every entry present, linked and unchanged.</param>
/// <param name="Entries">How many entries were checked.</param>
/// <param name="FirstBrokenSequence">The first entry whose hash or link does not match, when one does not.</param>
/// <param name="Message">What was found, for people.</param>
public sealed record LedgerVerification(bool Intact, long Entries, long? FirstBrokenSequence, string Message)
{
    /// <summary>Checks entries in sequence order; call with each page in turn, carrying the state along.</summary>
    public sealed class Checker
    {
        private string _previousHash = LedgerEntry.Genesis;
        private long _expected = 1;

        public long Checked { get; private set; }

        public long? Broken { get; private set; }

        public string? Problem { get; private set; }

        public void Check(LedgerEntry entry)
        {
            if (Broken is not null)
            {
                return;
            }

            Checked++;
            if (entry.Sequence != _expected)
            {
                Fail(_expected, $"Entry {_expected} is missing (the next stored entry is {entry.Sequence}).");
            }
            else if (!string.Equals(entry.PreviousHash, _previousHash, StringComparison.Ordinal))
            {
                Fail(entry.Sequence, $"Entry {entry.Sequence} does not link to the entry before it.");
            }
            else if (!string.Equals(entry.ComputeHash(), entry.Hash, StringComparison.Ordinal))
            {
                Fail(entry.Sequence, $"Entry {entry.Sequence} was changed after it was written (its hash no longer matches its contents).");
            }

            _previousHash = entry.Hash;
            _expected = entry.Sequence + 1;
        }

        public LedgerVerification Result() => Broken is { } broken
            ? new LedgerVerification(false, Checked, broken, Problem!)
            : new LedgerVerification(true, Checked, null, Checked == 0 ? "The ledger is empty." : $"All {Checked:N0} entries are intact and chained.");

        private void Fail(long sequence, string problem)
        {
            Broken = sequence;
            Problem = problem;
        }
    }
}
