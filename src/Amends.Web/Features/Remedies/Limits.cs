using Amends.Domain.Common;
using Amends.Domain.Remedies;
using Amends.Domain.Teams;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Remedies;

public sealed record AuthorityLimitDto(Guid Id, Role? Role, Guid? UserId, string? UserName, long? PerCaseMinor, long? Per30DaysMinor, string Currency, DateTime UpdatedAt, long Version);

/// <summary>Null means no limit; both in minor units of the organisation's currency.</summary>
public sealed record SetLimitRequest(long? PerCaseMinor, long? Per30DaysMinor);

/// <summary>Authority limits: one default per role and per-user overrides. Every change goes on the ledger with before and after.</summary>
public sealed class Limits(AmendsDbContext db, Ledger ledger, Microsoft.Extensions.Options.IOptions<RemedySettings> settings)
{
    /// <summary>
    /// On a first start: role limits (agents 50 per case and 500 in 30 days, supervisors ten times that, admins none) and
    /// the catalogue, in the configured currency. Written under the ledger lock, so instances starting together write once.
    /// </summary>
    public async Task SeedDefaultsAsync(CancellationToken ct)
    {
        await ledger.WriteAsync(async now =>
        {
            if (await db.AuthorityLimits.AnyAsync(ct))
            {
                return Result<bool>.Ok(false);
            }

            var currency = settings.Value.Currency;
            foreach (var (role, perCase, window) in new[] { (Role.Agent, (long?)5_000, (long?)50_000), (Role.Supervisor, 50_000, 500_000), (Role.Admin, null, null) })
            {
                var limit = AuthorityLimit.ForRole(role, perCase, window, currency, now);
                db.AuthorityLimits.Add(limit);
                await ledger.AppendAsync("limit.changed", null, $"limit:role:{role}", null, null, null, ToDto(limit, null), "default on first start", now, ct);
            }

            foreach (var (type, name, amount) in new[]
            {
                (Amends.Domain.Playbooks.RemedyType.Refund, "Partial refund", 2_500L), (Amends.Domain.Playbooks.RemedyType.Refund, "Full refund", 10_000),
                (Amends.Domain.Playbooks.RemedyType.Replacement, "Replacement", 4_000), (Amends.Domain.Playbooks.RemedyType.Repair, "Repair", 6_000),
                (Amends.Domain.Playbooks.RemedyType.Discount, "Voucher", 1_500), (Amends.Domain.Playbooks.RemedyType.Discount, "Discount on next order", 1_000),
                (Amends.Domain.Playbooks.RemedyType.Gesture, "Free item", 1_000), (Amends.Domain.Playbooks.RemedyType.Gesture, "Upgrade", 2_000),
                (Amends.Domain.Playbooks.RemedyType.Gesture, "Invitation to an event", 3_000),
                (Amends.Domain.Playbooks.RemedyType.ApologyOnly, "Apology", 0),
            })
            {
                db.RemedyCatalogue.Add(RemedyCatalogueItem.Create(type, name, amount, currency).Value);
            }

            return Result<bool>.Ok(true);
        }, ct);
    }

    public async Task<IReadOnlyList<AuthorityLimitDto>> ListAsync(CancellationToken ct)
    {
        var limits = await db.AuthorityLimits.AsNoTracking().ToListAsync(ct);
        var userIds = limits.Where(l => l.UserId is not null).Select(l => l.UserId!.Value.Value).ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. limits.OrderBy(l => l.Role is null).ThenBy(l => l.Role).ThenBy(l => l.UserId is { } u ? names.GetValueOrDefault(u.Value) : null)
            .Select(l => ToDto(l, l.UserId is { } u ? names.GetValueOrDefault(u.Value) : null))];
    }

    public Task<Result<AuthorityLimitDto>> SetForRoleAsync(Role role, SetLimitRequest request, Actor by, CancellationToken ct) =>
        SetAsync(l => l.Role == role, now => AuthorityLimit.ForRole(role, request.PerCaseMinor, request.Per30DaysMinor, settings.Value.Currency, now),
            $"limit:role:{role}", request, by, null, ct);

    public async Task<Result<AuthorityLimitDto>> SetForUserAsync(Guid userId, SetLimitRequest request, Actor by, CancellationToken ct)
    {
        var name = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        if (name is null)
        {
            return DomainError.NotFound("user.not_found", $"There is no user {userId}.");
        }

        var user = new UserId(userId);
        return await SetAsync(l => l.UserId == user, now => AuthorityLimit.ForUser(user, request.PerCaseMinor, request.Per30DaysMinor, settings.Value.Currency, now),
            $"limit:user:{userId}", request, by, name, ct);
    }

    /// <summary>Removes a user's override: the role's default applies again.</summary>
    public Task<Result<bool>> ClearForUserAsync(Guid userId, Actor by, CancellationToken ct) =>
        ledger.WriteAsync(async now =>
        {
            var user = new UserId(userId);
            var limit = await db.AuthorityLimits.SingleOrDefaultAsync(l => l.UserId == user, ct);
            if (limit is null)
            {
                return DomainError.NotFound("limit.not_found", "That user has no limit of their own.");
            }

            db.AuthorityLimits.Remove(limit);
            await ledger.AppendAsync("limit.removed", by, $"limit:user:{userId}", null, null, ToDto(limit, null), null, null, now, ct);
            return Result<bool>.Ok(true);
        }, ct);

    private Task<Result<AuthorityLimitDto>> SetAsync(
        System.Linq.Expressions.Expression<Func<AuthorityLimit, bool>> which, Func<DateTimeOffset, AuthorityLimit> create, string subject,
        SetLimitRequest request, Actor by, string? userName, CancellationToken ct) =>
        ledger.WriteAsync(async now =>
        {
            var invalid = AuthorityLimit.Validate(request.PerCaseMinor, request.Per30DaysMinor);
            if (invalid is not null)
            {
                return invalid;
            }

            var limit = await db.AuthorityLimits.SingleOrDefaultAsync(which, ct);
            var before = limit is null ? null : ToDto(limit, userName);
            if (limit is null)
            {
                limit = create(now);
                db.AuthorityLimits.Add(limit);
            }
            else
            {
                limit.Change(request.PerCaseMinor, request.Per30DaysMinor, now);
            }

            var after = ToDto(limit, userName);
            await ledger.AppendAsync("limit.changed", by, subject, null, null, before, after, null, now, ct);
            return Result<AuthorityLimitDto>.Ok(after);
        }, ct);

    private static AuthorityLimitDto ToDto(AuthorityLimit l, string? userName) =>
        new(l.Id, l.Role, l.UserId?.Value, userName, l.PerCaseMinor, l.Per30DaysMinor, l.Currency, l.UpdatedAt, l.Version);
}
