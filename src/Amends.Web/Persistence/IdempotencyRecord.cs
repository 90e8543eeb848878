namespace Amends.Web.Persistence;

/// <summary>
/// The first response to a POST carrying an <c>Idempotency-Key</c>, kept so a replay gets it back and creates nothing.
/// <see cref="ResponseStatus"/> is 0 while the first request is still running.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>Whose key it is (user id): keys of different callers never collide.</summary>
    public string Scope { get; set; } = "";

    public string Key { get; set; } = "";

    /// <summary>SHA-256 of method, path and body, hex: the same key with another request is an error.</summary>
    public string RequestHash { get; set; } = "";

    public int ResponseStatus { get; set; }

    public string? ContentType { get; set; }

    public string? Location { get; set; }

    public byte[]? ResponseBody { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// Until when the request running it is known to be alive (UTC). The running request renews it; once it has lapsed
    /// with no response stored (the instance crashed or restarted), a retry takes the record over.
    /// </summary>
    public DateTime LeaseUntil { get; set; }

    /// <summary>Which attempt holds the record (a random token), so a request that was taken over no longer writes to it.</summary>
    public string Holder { get; set; } = "";
}
