using System.ComponentModel.DataAnnotations;
using Amends.Domain.Common;
using Amends.Domain.Teams;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Admin;

/// <summary>A user as others see them. <see cref="Email"/> is given to admins (and to the user themselves) only.</summary>
public sealed record UserDto(Guid Id, string? Email, string DisplayName, Role Role, Guid? TeamId, string? TeamName, bool IsActive, DateTime CreatedAt, DateTime? AwayUntil = null);

/// <summary>An admin sets a new password for a user who lost theirs (self-service reset by e-mail comes with the outbox).</summary>
public sealed record ResetPasswordRequest([property: Required, StringLength(200)] string? NewPassword);

public sealed record CreateUserRequest(
    [property: Required, EmailAddress, StringLength(254)] string? Email,
    [property: Required, StringLength(200)] string? DisplayName,
    [property: Required, StringLength(200)] string? Password,
    [property: Required] Role? Role,
    Guid? TeamId = null);

public sealed record UpdateUserRequest(
    [property: Required, StringLength(200)] string? DisplayName,
    [property: Required] Role? Role,
    Guid? TeamId,
    bool IsActive = true);

/// <summary>People and their roles. Each user holds exactly one role; the last active admin cannot be demoted or deactivated.</summary>
public sealed class Users(AmendsDbContext db, UserManager<AppUser> userManager, TimeProvider time, Remedies.Ledger ledger, Cases.DirectoryNames names, Infrastructure.ApiKeySessions sessions)
{
    /// <summary>Everyone, without e-mail addresses: agents need names and teams to hand work on, not addresses.</summary>
    public async Task<IReadOnlyList<UserDto>> ListPublicAsync(CancellationToken ct) =>
        [.. (await ListAsync(ct)).Select(u => u with { Email = null })];

    public async Task<IReadOnlyList<UserDto>> ListAsync(CancellationToken ct)
    {
        var rows = await (from u in db.Users.AsNoTracking()
                          join ur in db.UserRoles on u.Id equals ur.UserId into urs
                          from ur in urs.DefaultIfEmpty()
                          join r in db.Roles on ur.RoleId equals r.Id into rs
                          from r in rs.DefaultIfEmpty()
                          orderby u.DisplayName
                          select new { User = u, RoleName = r.Name }).ToListAsync(ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        return [.. rows.GroupBy(x => x.User.Id).Select(g => ToDto(g.First().User, HighestRole(g.Select(x => x.RoleName)), teams))];
    }

    public async Task<Result<UserDto>> GetAsync(Guid id, CancellationToken ct)
    {
        var all = await ListAsync(ct);
        var user = all.FirstOrDefault(u => u.Id == id);
        return user is null ? DomainError.NotFound("user.not_found", $"There is no user {id}.") : Result<UserDto>.Ok(user);
    }

    public async Task<Result<UserDto>> CreateAsync(CreateUserRequest request, CancellationToken ct, Guid? actingUser = null)
    {
        var email = request.Email!.Trim();
        if (await userManager.FindByEmailAsync(email) is not null)
        {
            return new DomainError(ErrorKind.Conflict, "user.email_taken", "A user with this e-mail address exists.", "email");
        }

        var teamError = await CheckTeamAsync(request.TeamId, ct);
        if (teamError is not null)
        {
            return teamError;
        }

        var user = new AppUser
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = request.DisplayName!.Trim(),
            TeamId = request.TeamId is { } t ? new TeamId(t) : null,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var created = await userManager.CreateAsync(user, request.Password!);
        if (!created.Succeeded)
        {
            return IdentityError(created, "password");
        }

        var role = request.Role!.Value.ToString();
        var actor = actingUser is { } a ? await ActorAsync(a, ct) : null;
        await ledger.WriteAsync(async now =>
        {
            await userManager.AddToRoleAsync(user, role);
            await ledger.AppendAsync("role.changed", actor, $"user:{user.Id}", null, null, null, new { user = user.Email, roles = new[] { role } }, "new user", now, ct);
            return Result<bool>.Ok(true);
        }, ct);
        return await GetAsync(user.Id, ct);
    }

    public async Task<Result<UserDto>> UpdateAsync(Guid id, UpdateUserRequest request, Guid actingUser, CancellationToken ct)
    {
        var user = await userManager.FindByIdAsync(id.ToString());
        if (user is null)
        {
            return DomainError.NotFound("user.not_found", $"There is no user {id}.");
        }

        var teamError = await CheckTeamAsync(request.TeamId, ct);
        if (teamError is not null)
        {
            return teamError;
        }

        var currentRoles = await userManager.GetRolesAsync(user);
        var wasAdmin = currentRoles.Contains(nameof(Role.Admin));
        var staysAdmin = request.Role == Role.Admin && request.IsActive;
        if (wasAdmin && user.IsActive && !staysAdmin)
        {
            var activeAdmins = await userManager.GetUsersInRoleAsync(nameof(Role.Admin));
            if (activeAdmins.Count(a => a.IsActive) <= 1)
            {
                return DomainError.Conflict("user.last_admin", "This is the last active admin: make someone else an admin first.");
            }
        }

        if (id == actingUser && !request.IsActive)
        {
            return DomainError.Conflict("user.self_deactivate", "You cannot deactivate yourself.");
        }

        var deactivated = user.IsActive && !request.IsActive;
        user.DisplayName = request.DisplayName!.Trim();
        user.TeamId = request.TeamId is { } t ? new TeamId(t) : null;
        user.IsActive = request.IsActive;
        await userManager.UpdateAsync(user);
        names.Invalidate();

        var role = request.Role!.Value.ToString();
        if (!(currentRoles.Count == 1 && currentRoles[0] == role))
        {
            // A role is authority: the change and its ledger entry commit together.
            var actor = await ActorAsync(actingUser, ct);
            await ledger.WriteAsync(async now =>
            {
                await userManager.RemoveFromRolesAsync(user, currentRoles);
                await userManager.AddToRoleAsync(user, role);
                await ledger.AppendAsync("role.changed", actor, $"user:{id}", null, null, new { user = user.Email, roles = currentRoles }, new { user = user.Email, roles = new[] { role } }, null, now, ct);
                return Result<bool>.Ok(true);
            }, ct);
        }

        if (deactivated)
        {
            // Ends their cookie sessions at the next validation and stops their API keys at once.
            await userManager.UpdateSecurityStampAsync(user);
        }

        // API keys authenticate from a short-lived memory of who they are: after a role or state change, forget it.
        sessions.Forget();
        return await GetAsync(id, ct);
    }

    /// <summary>
    /// Replaces the user's password with one the admin gives them, under the same rules as any password; their sessions
    /// and sign-ins end (security stamp), their API keys too. On the ledger, without the password.
    /// </summary>
    public async Task<Result<UserDto>> ResetPasswordAsync(Guid id, ResetPasswordRequest request, Guid actingUser, CancellationToken ct)
    {
        var user = await userManager.FindByIdAsync(id.ToString());
        if (user is null)
        {
            return DomainError.NotFound("user.not_found", $"There is no user {id}.");
        }

        if (string.IsNullOrEmpty(request.NewPassword))
        {
            return DomainError.Invalid("user.invalid_newPassword", "newPassword", "Enter the new password.");
        }

        var token = await userManager.GeneratePasswordResetTokenAsync(user);
        var reset = await userManager.ResetPasswordAsync(user, token, request.NewPassword!);
        if (!reset.Succeeded)
        {
            return IdentityError(reset, "newPassword");
        }

        var actor = await ActorAsync(actingUser, ct);
        await ledger.WriteAsync(async now =>
        {
            await ledger.AppendAsync("user.password_reset", actor, $"user:{id}", null, null, null, new { user = user.Email }, null, now, ct);
            return Result<bool>.Ok(true);
        }, ct);
        return await GetAsync(id, ct);
    }

    private async Task<Actor?> ActorAsync(Guid userId, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new Actor(new UserId(u.Id), u.DisplayName)).SingleOrDefaultAsync(ct);

    private async Task<DomainError?> CheckTeamAsync(Guid? teamId, CancellationToken ct) =>
        teamId is { } t && !await db.Teams.AnyAsync(x => x.Id == new TeamId(t), ct)
            ? DomainError.NotFound("team.not_found", $"There is no team {t}.", "teamId")
            : null;

    private static DomainError IdentityError(IdentityResult result, string field) =>
        DomainError.Invalid("user.invalid_" + field, field, string.Join(" ", result.Errors.Select(e => e.Description)));

    private static Role HighestRole(IEnumerable<string?> names) =>
        names.Where(n => n is not null).Select(n => Enum.Parse<Role>(n!)).DefaultIfEmpty(Role.Agent).Max();

    private static UserDto ToDto(AppUser u, Role role, Dictionary<TeamId, string> teams) => new(
        u.Id, u.Email ?? "", u.DisplayName, role, u.TeamId?.Value, u.TeamId is { } t ? teams.GetValueOrDefault(t) : null, u.IsActive, u.CreatedAt, u.AwayUntil);
}
