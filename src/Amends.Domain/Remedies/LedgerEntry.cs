using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Amends.Domain.Remedies;

/// <summary>A secret that keys the ledger's chain (HMAC-SHA256), kept outside the database; <see cref="Id"/> names it on each entry.</summary>
public sealed record LedgerKey(string Id, byte[] Secret)
{
    /// <summary>A key's id is a fingerprint of the secret: no second setting to keep in step, and rotation is a new secret.</summary>
    public static LedgerKey From(byte[] secret) => new(Convert.ToHexStringLower(SHA256.HashData(secret))[..12], secret);
}

/// <summary>
/// One append-only entry of the audit ledger: who did what to which subject, when, with the state before and after.
/// Each entry's <see cref="Hash"/> covers its own fields and the previous entry's hash, so changing or removing any
/// stored entry breaks every hash after it. Keyed entries (<see cref="KeyId"/> set) use HMAC-SHA256 with a secret that
/// is not in the database, so someone holding only the database file cannot recompute the chain; entries written
/// before keying stay plain SHA-256 and verify as they are.
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

    /// <summary>The id of the <see cref="LedgerKey"/> the hash was made with; null for entries written before keying.</summary>
    public string? KeyId { get; private set; }

    public static LedgerEntry Append(
        LedgerEntry? previous, DateTimeOffset now, string action, Guid? actorId, string actorName, string subject, Guid? caseId,
        long? amountMinor, string? currency, string? before, string? after, string? reason, LedgerKey? key = null)
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
            KeyId = key?.Id,
        };
        entry.Hash = entry.ComputeHash(key?.Secret);
        return entry;
    }

    /// <summary>
    /// The MAC of the chain's head (last sequence and hash): stored beside the ledger and rewritten with every append, so
    /// that removing entries from the end, which leaves a chain that still links, is found.
    /// </summary>
    public static string HeadMac(LedgerKey key, long sequence, string hash) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key.Secret, Encoding.UTF8.GetBytes($"head|{sequence.ToString(CultureInfo.InvariantCulture)}|{hash}")));

    /// <summary>
    /// SHA-256 (unkeyed entries) or HMAC-SHA256 with <paramref name="secret"/> (keyed ones, the key id included) over every
    /// field and the previous hash, in a fixed, length-prefixed text form.
    /// </summary>
    public string ComputeHash(byte[]? secret = null)
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
        if (KeyId is null)
        {
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }

        Field(KeyId);
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret ?? throw new ArgumentNullException(nameof(secret), $"Entry {Sequence} is keyed with {KeyId}."),
            Encoding.UTF8.GetBytes(text.ToString())));
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
    /// <param name="keys">The secret of a key id, or null when this server does not have it.</param>
    public sealed class Checker(Func<string, LedgerKey?>? keys = null)
    {
        private string _previousHash = LedgerEntry.Genesis;
        private long _expected = 1;
        private bool _keyed;

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
            else if (entry.KeyId is null && _keyed)
            {
                Fail(entry.Sequence, $"Entry {entry.Sequence} has no key but follows keyed entries: the chain was rewritten without the key.");
            }
            else if (entry.KeyId is { } keyId && keys?.Invoke(keyId) is null)
            {
                Fail(entry.Sequence, $"Entry {entry.Sequence} is keyed with {keyId}, a key this server does not have (configure it in Amends:Ledger:RetiredKeys).");
            }
            else if (!string.Equals(entry.ComputeHash(entry.KeyId is { } id ? keys!(id)!.Secret : null), entry.Hash, StringComparison.Ordinal))
            {
                Fail(entry.Sequence, entry.KeyId is null
                    ? $"Entry {entry.Sequence} was changed after it was written (its hash no longer matches its contents)."
                    : $"Entry {entry.Sequence} was changed after it was written, or its hash recomputed without the key (its MAC no longer matches).");
            }

            _keyed |= entry.KeyId is not null;
            _previousHash = entry.Hash;
            _expected = entry.Sequence + 1;
        }

        /// <summary>
        /// Checks the end of the chain against the head record, when there is one: a chain that stops before the head's
        /// sequence was cut short; a head whose MAC does not match was forged. A keyed chain without a head lost it.
        /// </summary>
        public void CheckHead(long? headSequence, string? headHash, string? headKeyId, string? headMac)
        {
            if (Broken is not null)
            {
                return;
            }

            var lastSequence = _expected - 1;
            if (headSequence is null)
            {
                if (_keyed)
                {
                    Fail(lastSequence, "The ledger's head record is missing: entries may have been removed from its end.");
                }

                return;
            }

            var key = headKeyId is null ? null : keys?.Invoke(headKeyId);
            if (key is null || !string.Equals(LedgerEntry.HeadMac(key, headSequence.Value, headHash ?? ""), headMac, StringComparison.Ordinal))
            {
                Fail(Math.Min(lastSequence, headSequence.Value), "The ledger's head record was altered (its MAC does not match).");
            }
            else if (headSequence.Value > lastSequence)
            {
                Fail(lastSequence + 1, $"The ledger was truncated: its head says {headSequence.Value:N0} entries, but it ends at {lastSequence:N0}.");
            }
            else if (headSequence.Value < lastSequence)
            {
                Fail(headSequence.Value + 1, $"Entries after {headSequence.Value:N0} were added outside the product (the head record ends there).");
            }
            else if (!string.Equals(headHash, _previousHash, StringComparison.Ordinal))
            {
                Fail(lastSequence, $"Entry {lastSequence} is not the entry the head record names.");
            }
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
