namespace Amends.Web.Persistence;

/// <summary>The <c>Amends</c> configuration section.</summary>
public sealed class AmendsOptions
{
    public const string Section = "Amends";

    /// <summary>
    /// Seed the demo data set on a first start with an empty database. Null (the default) means: yes, unless a
    /// bootstrap admin is configured, which marks a real installation.
    /// </summary>
    public bool? Demo { get; set; }

    public BootstrapOptions Bootstrap { get; set; } = new();

    /// <summary>
    /// The address customers reach Amends at (<c>https://care.example.com</c>): links in messages and follow-ups are built
    /// from it, never from a request's Host header. Unset, the address the server listens on (with a warning in Production).
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// How long a request holding an <c>Idempotency-Key</c> is presumed alive without renewing its lease; a retry after a
    /// crash takes the key over once it lapses. The running request renews it every third of this.
    /// </summary>
    public int IdempotencyLeaseSeconds { get; set; } = 10;

    /// <summary>
    /// Where the demo login is written on first start (relative to the content root). Unset: <c>data/demo-login.txt</c>
    /// for SQLite, <c>data/demo-login-postgres.txt</c> for PostgreSQL, so a demo on one never overwrites the other's.
    /// </summary>
    public string? DemoLoginFile { get; set; }

    public string DemoLoginFileFor(bool postgres) => DemoLoginFile ?? (postgres ? "data/demo-login-postgres.txt" : "data/demo-login.txt");

    public sealed class BootstrapOptions
    {
        public string? AdminEmail { get; set; }

        public string? AdminPassword { get; set; }

        /// <summary>An admin API key to accept (at least 32 characters); stored only as its digest.</summary>
        public string? ApiKey { get; set; }
    }
}
