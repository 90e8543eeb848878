using Amends.Domain.Common;
using Amends.Domain.Teams;

namespace Amends.Domain.Remedies;

/// <summary>
/// How much value someone may grant on their own: at most <see cref="PerCaseMinor"/> held on any one case (by everyone's
/// grants together) and at most <see cref="Per30DaysMinor"/> granted under their authority in any rolling 30 days.
/// Null is no limit. A row is either a role's default or one user's override.
/// </summary>
public sealed class AuthorityLimit
{
    private AuthorityLimit()
    {
        Currency = "";
    }

    public Guid Id { get; private set; }

    /// <summary>The role this is the default of; null for a user's override.</summary>
    public Role? Role { get; private set; }

    /// <summary>The user this overrides the role default for; null for a role default.</summary>
    public UserId? UserId { get; private set; }

    public long? PerCaseMinor { get; private set; }

    public long? Per30DaysMinor { get; private set; }

    public string Currency { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public long Version { get; private set; }

    public static AuthorityLimit ForRole(Role role, long? perCase, long? per30Days, string currency, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(), Role = role, PerCaseMinor = perCase, Per30DaysMinor = per30Days, Currency = currency, UpdatedAt = now.UtcDateTime, Version = 1 };

    public static AuthorityLimit ForUser(UserId user, long? perCase, long? per30Days, string currency, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(), UserId = user, PerCaseMinor = perCase, Per30DaysMinor = per30Days, Currency = currency, UpdatedAt = now.UtcDateTime, Version = 1 };

    public static DomainError? Validate(long? perCase, long? per30Days)
    {
        if (perCase < 0)
        {
            return DomainError.Invalid("limit.negative", "perCaseMinor", "A limit cannot be negative (leave it empty for no limit).");
        }

        if (per30Days < 0)
        {
            return DomainError.Invalid("limit.negative", "per30DaysMinor", "A limit cannot be negative (leave it empty for no limit).");
        }

        return null;
    }

    public void Change(long? perCase, long? per30Days, DateTimeOffset now)
    {
        PerCaseMinor = perCase;
        Per30DaysMinor = per30Days;
        UpdatedAt = now.UtcDateTime;
        Version++;
    }
}

/// <summary>What someone may still grant on a case now, and whether an amount fits.</summary>
/// <param name="PerCaseLeftMinor">Left on this case under their per-case limit (null: no limit).</param>
/// <param name="WindowLeftMinor">Left in their rolling 30 days (null: no limit).</param>
/// <param name="Currency">The currency limits are kept in.</param>
public sealed record AuthorityLeft(long? PerCaseLeftMinor, long? WindowLeftMinor, string Currency)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <param name="limit">The limit that applies to the person (their override, else their role's).</param>
    /// <param name="heldOnCase">Value held on the case by all grants, whoever made them.</param>
    /// <param name="grantedInWindow">Value the person granted in the last 30 days, on any case.</param>
    /// <param name="currency">The currency when no limit applies.</param>
    public static AuthorityLeft Of(AuthorityLimit? limit, long heldOnCase, long grantedInWindow, string currency) =>
        limit is null
            ? new AuthorityLeft(0, 0, currency)
            : new AuthorityLeft(
                limit.PerCaseMinor is { } perCase ? Math.Max(0, perCase - heldOnCase) : null,
                limit.Per30DaysMinor is { } window ? Math.Max(0, window - grantedInWindow) : null,
                limit.Currency);

    public bool Covers(long amountMinor) =>
        (PerCaseLeftMinor is null || amountMinor <= PerCaseLeftMinor) && (WindowLeftMinor is null || amountMinor <= WindowLeftMinor);
}
