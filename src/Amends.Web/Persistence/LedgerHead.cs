namespace Amends.Web.Persistence;

/// <summary>
/// The one row naming the ledger's last entry, rewritten in the same transaction as every append and keyed like the
/// entries: removing entries from the end leaves a chain that still links, but no longer matches its head.
/// </summary>
public sealed class LedgerHead
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public long Sequence { get; set; }

    public string Hash { get; set; } = "";

    public string KeyId { get; set; } = "";

    /// <summary>HMAC of sequence and hash with the key <see cref="KeyId"/> (<c>LedgerEntry.HeadMac</c>).</summary>
    public string Mac { get; set; } = "";
}
