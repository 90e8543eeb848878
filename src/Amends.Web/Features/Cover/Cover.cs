using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Features.Sla;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cover;

/// <summary>Away until this instant; it must be in the future and within a year.</summary>
public sealed record AwayRequest([property: Required] DateTimeOffset? Until);

public sealed record CoveredCase(Guid CaseId, string Summary, Guid CoverOwnerId, string CoverOwnerName);

public sealed record AwayStatus(DateTime? AwayUntil, IReadOnlyList<CoveredCase> Covered);

/// <summary>
/// Away and cover: while an owner is away, each of their open cases is covered by the teammate (an agent of the same
/// team who is not away; a supervisor only when no agent is) with the lightest load
/// (open cases owned or covered), who sees the case summary first. The owner stays the customer's named contact, and
/// the cases return to them alone when they come back (or when the away time ends, by the due-work sweep).
/// </summary>
public sealed class Cover(AmendsDbContext db, TimeProvider time, SlaClocks clocks, CaseChangeFeed feed)
{
    public async Task<Result<AwayStatus>> GoAwayAsync(UserId me, AwayRequest request, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = request.Until!.Value;
        if (until <= now || until > now.AddYears(1))
        {
            return DomainError.Invalid("cover.until_invalid", "until", "Say when you are back: a time in the future, within a year.");
        }

        var user = await db.Users.SingleAsync(u => u.Id == me.Value, ct);
        var open = true;
        var cases = await db.Cases.Where(c => c.OwnerId == me && c.IsOpen == open).ToListAsync(ct);
        var at = now.UtcDateTime;
        var available = await db.Users.AsNoTracking()
            .Where(u => u.Id != me.Value && u.IsActive && u.TeamId != null && u.TeamId == user.TeamId && (u.AwayUntil == null || u.AwayUntil <= at))
            .ToListAsync(ct);

        // Cover is agents' work: the team's agents who are here share it; a supervisor covers only when no agent can.
        var availableIds = available.Select(u => u.Id).ToList();
        var agentRole = nameof(Amends.Domain.Teams.Role.Agent);
        var agentIds = (await (from ur in db.UserRoles
                               join r in db.Roles on ur.RoleId equals r.Id
                               where availableIds.Contains(ur.UserId)
                               group r.Name by ur.UserId into roles
                               select new { UserId = roles.Key, Roles = roles.ToList() }).ToListAsync(ct))
            .Where(x => x.Roles.All(name => name == agentRole))
            .Select(x => x.UserId)
            .ToHashSet();
        var teammates = available.Where(u => agentIds.Contains(u.Id)).ToList();
        if (teammates.Count == 0)
        {
            teammates = available;
        }
        if (cases.Count > 0 && teammates.Count == 0)
        {
            return DomainError.Conflict("cover.no_teammate", "Nobody in your team is available to cover your cases; ask your supervisor to reassign them.");
        }

        var ids = teammates.Select(t => (UserId?)t.UserId).ToList();
        var loads = teammates.ToDictionary(t => t.UserId, _ => 0);
        var busy = await db.Cases.Where(c => c.IsOpen == open && (ids.Contains(c.OwnerId) || ids.Contains(c.CoverOwnerId)))
            .Select(c => new { c.OwnerId, c.CoverOwnerId }).ToListAsync(ct);
        foreach (var row in busy)
        {
            var who = row.CoverOwnerId ?? row.OwnerId;
            if (who is { } id && loads.TryGetValue(id, out var load))
            {
                loads[id] = load + 1;
            }
        }

        user.AwayUntil = until.UtcDateTime;
        var owner = user.ToActor();
        foreach (var c in cases.OrderBy(c => c.UrgencyKey))
        {
            var lightest = teammates.OrderBy(t => loads[t.UserId]).ThenBy(t => t.DisplayName, StringComparer.Ordinal).First();
            c.StartCover(lightest.ToActor(), owner, now);
            loads[lightest.UserId]++;
        }

        await clocks.SetAsync(DueWorkKinds.CoverEnd, new CaseId(Guid.Empty), me.Value, until.UtcDateTime, ct);
        await db.SaveChangesAsync(ct);
        await PublishAsync(cases);
        return Result<AwayStatus>.Ok(await StatusAsync(me, ct));
    }

    public async Task<Result<AwayStatus>> BackAsync(UserId me, CancellationToken ct)
    {
        var cases = await EndAwayAsync(me, time.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        await PublishAsync(cases);
        return Result<AwayStatus>.Ok(await StatusAsync(me, ct));
    }

    /// <summary>Ends the away time and every cover of the user's cases, without saving (the caller saves).</summary>
    public async Task<IReadOnlyList<RecoveryCase>> EndAwayAsync(UserId me, DateTimeOffset now, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == me.Value, ct);
        user.AwayUntil = null;
        var cases = await db.Cases.Where(c => c.OwnerId == me && c.CoverOwnerId != null).ToListAsync(ct);
        foreach (var c in cases)
        {
            c.EndCover(now);
        }

        await clocks.SetAsync(DueWorkKinds.CoverEnd, new CaseId(Guid.Empty), me.Value, null, ct);
        return cases;
    }

    public async Task<AwayStatus> StatusAsync(UserId me, CancellationToken ct)
    {
        var awayUntil = await db.Users.Where(u => u.Id == me.Value).Select(u => u.AwayUntil).SingleAsync(ct);
        var covered = await db.Cases.AsNoTracking().Where(c => c.OwnerId == me && c.CoverOwnerId != null)
            .Select(c => new { c.Id, c.Summary, c.CoverOwnerId }).ToListAsync(ct);
        var names = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return new AwayStatus(awayUntil, [.. covered.Select(c => new CoveredCase(
            c.Id.Value, c.Summary, c.CoverOwnerId!.Value.Value, names.GetValueOrDefault(c.CoverOwnerId.Value.Value, "")))]);
    }

    private async Task PublishAsync(IEnumerable<RecoveryCase> cases)
    {
        foreach (var c in cases)
        {
            await feed.PublishAsync(new CaseChanged(c.Id, CaseChangeKind.Updated, c.TeamId, c.OwnerId));
        }
    }
}
