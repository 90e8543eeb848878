using System.ComponentModel.DataAnnotations;
using Amends.Domain.Common;
using Amends.Domain.Sla;
using Amends.Domain.Teams;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Admin;

public sealed record TeamDto(Guid Id, string Name, Guid? SupervisorId, string? SupervisorName, int MemberCount, BusinessHours? Hours, QuietHours? Quiet = null);

/// <summary>A team's quiet period ("21:00" to "08:00"), in each customer's own time zone; both null: none.</summary>
public sealed record QuietHours(TimeOnly? From, TimeOnly? Until);

/// <summary>
/// A team's name, supervisor and business hours (IANA time zone, weekly periods, holidays); SLA clocks of the team's
/// cases count only those hours. No hours means always open.
/// </summary>
/// <remarks><see cref="Quiet"/> left out keeps the quiet period as it is (new teams: 21:00 to 08:00).</remarks>
public sealed record SaveTeamRequest([property: Required, StringLength(Team.MaxNameLength)] string? Name, Guid? SupervisorId = null, BusinessHours? Hours = null, QuietHours? Quiet = null);

/// <summary>Teams share an inbox and a supervisor, who must hold the Supervisor or Admin role.</summary>
public sealed class Teams(AmendsDbContext db, TimeProvider time, Cases.DirectoryNames names)
{
    public async Task<IReadOnlyList<TeamDto>> ListAsync(CancellationToken ct)
    {
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var members = await db.Users.Where(u => u.TeamId != null).GroupBy(u => u.TeamId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key!.Value, x => x.Count, ct);
        var names = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. teams.Select(t => new TeamDto(
            t.Id.Value,
            t.Name,
            t.SupervisorId?.Value,
            t.SupervisorId is { } s ? names.GetValueOrDefault(s.Value) : null,
            members.GetValueOrDefault(t.Id),
            t.Hours,
            new QuietHours(t.QuietFrom, t.QuietUntil)))];
    }

    public async Task<Result<TeamDto>> CreateAsync(SaveTeamRequest request, CancellationToken ct)
    {
        var created = Team.Create(request.Name, time.GetUtcNow());
        if (!created.IsSuccess)
        {
            return created.Error!;
        }

        var team = created.Value;
        return await SaveAsync(team, request, isNew: true, ct);
    }

    public async Task<Result<TeamDto>> UpdateAsync(Guid id, SaveTeamRequest request, CancellationToken ct)
    {
        var team = await db.Teams.SingleOrDefaultAsync(t => t.Id == new TeamId(id), ct);
        if (team is null)
        {
            return DomainError.NotFound("team.not_found", $"There is no team {id}.");
        }

        var error = team.Rename(request.Name);
        return error is null ? await SaveAsync(team, request, isNew: false, ct) : error;
    }

    private async Task<Result<TeamDto>> SaveAsync(Team team, SaveTeamRequest request, bool isNew, CancellationToken ct)
    {
        if (await db.Teams.AnyAsync(t => t.Name == team.Name && t.Id != team.Id, ct))
        {
            return new DomainError(ErrorKind.Conflict, "team.name_taken", "Another team has this name.", "name");
        }

        if (request.SupervisorId is { } supervisorId)
        {
            var isSupervisor = await (from ur in db.UserRoles
                                      join r in db.Roles on ur.RoleId equals r.Id
                                      join u in db.Users on ur.UserId equals u.Id
                                      where ur.UserId == supervisorId && u.IsActive && (r.Name == nameof(Role.Supervisor) || r.Name == nameof(Role.Admin))
                                      select ur).AnyAsync(ct);
            if (!isSupervisor)
            {
                return DomainError.Invalid("team.supervisor_invalid", "supervisorId", "The supervisor must be an active Supervisor or Admin.");
            }
        }

        var hoursError = team.SetHours(request.Hours is null ? null : request.Hours with { Periods = request.Hours.Periods ?? [], Holidays = request.Hours.Holidays ?? [] });
        if (hoursError is not null)
        {
            return hoursError with { Field = "hours." + hoursError.Field };
        }

        if (request.Quiet is { } quiet && team.SetQuietHours(quiet.From, quiet.Until) is { } quietError)
        {
            return quietError with { Field = "quiet." + quietError.Field };
        }

        team.SetSupervisor(request.SupervisorId is { } s ? new UserId(s) : null);
        if (isNew)
        {
            db.Teams.Add(team);
        }

        await db.SaveChangesAsync(ct);
        names.Invalidate();
        var all = await ListAsync(ct);
        return Result<TeamDto>.Ok(all.Single(t => t.Id == team.Id.Value));
    }
}
