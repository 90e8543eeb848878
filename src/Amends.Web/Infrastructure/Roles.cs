using System.Security.Claims;
using Amends.Domain.Common;
using Amends.Domain.Teams;

namespace Amends.Web.Infrastructure;

/// <summary>Authorization policies. Each includes the roles above it: an Admin may do what a Supervisor may.</summary>
public static class Policies
{
    public const string Agent = "Agent";
    public const string Supervisor = "Supervisor";
    public const string Admin = "Admin";

    public const string DisplayNameClaim = "amends:display_name";

    public static readonly string[] AgentRoles = [nameof(Role.Agent), nameof(Role.Supervisor), nameof(Role.Admin)];
    public static readonly string[] SupervisorRoles = [nameof(Role.Supervisor), nameof(Role.Admin)];
    public static readonly string[] AdminRoles = [nameof(Role.Admin)];

    public static UserId UserId(this ClaimsPrincipal user) =>
        new(Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The principal has no user id.")));

    public static Actor ToActor(this ClaimsPrincipal user) =>
        new(user.UserId(), user.FindFirstValue(DisplayNameClaim) ?? user.Identity?.Name ?? "unknown");

    public static bool IsSupervisor(this ClaimsPrincipal user) => SupervisorRoles.Any(user.IsInRole);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(nameof(Role.Admin));

    /// <summary>The highest role the principal holds (each user holds one).</summary>
    public static Role HighestRole(this ClaimsPrincipal user) =>
        user.IsAdmin() ? Role.Admin : user.IsInRole(nameof(Role.Supervisor)) ? Role.Supervisor : Role.Agent;
}
