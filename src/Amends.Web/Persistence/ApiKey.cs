namespace Amends.Web.Persistence;

/// <summary>
/// A secret that lets an integration act as <see cref="UserId"/>. Only the SHA-256 digest of the secret is kept;
/// <see cref="Prefix"/> (the first characters, shown in lists) finds the row without scanning.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string Prefix { get; set; } = "";

    public byte[] Hash { get; set; } = [];

    public Guid UserId { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}
