using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Amends.Domain.Common;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>Makes someone the case's owner. <see cref="TeamId"/> defaults to the new owner's team.</summary>
public sealed record AssignOwnerRequest([property: Required] Guid? OwnerId, Guid? TeamId = null);

/// <summary>
/// An agent may take an unowned case for themselves, and the owner (or their cover) may hand theirs on; any other
/// reassignment is a supervisor's call.
/// </summary>
public sealed class AssignOwner(AmendsDbContext db, CaseMutation mutation)
{
    public async Task<Result<CaseDetail>> HandleAsync(Guid caseId, AssignOwnerRequest request, long? expectedVersion, ClaimsPrincipal user, CancellationToken ct)
    {
        var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == request.OwnerId && u.IsActive, ct);
        if (owner is null)
        {
            return DomainError.NotFound("user.not_found", $"There is no active user {request.OwnerId}.", "ownerId");
        }

        TeamId? team = request.TeamId is { } t ? new TeamId(t) : owner.TeamId;
        if (request.TeamId is not null && !await db.Teams.AnyAsync(x => x.Id == team, ct))
        {
            return DomainError.NotFound("team.not_found", $"There is no team {request.TeamId}.", "teamId");
        }

        var actor = user.ToActor();
        var access = CaseAccess.For(user, CaseRule.Assign);
        return await mutation.ApplyAsync(caseId, expectedVersion, access, (c, now) =>
        {
            if (access.CheckAssign(c, owner.UserId) is { } forbidden)
            {
                return forbidden;
            }

            var error = c.Assign(owner.ToActor(), team, actor, now);
            if (error is null && c.Escalation != Amends.Domain.Cases.EscalationState.None && user.IsSupervisor())
            {
                // A supervisor reassigning an escalated case has dealt with the escalation.
                error = c.HandBack(actor, $"Reassigned to {owner.DisplayName}", now);
            }

            return error;
        }, ct);
    }
}
