using Amends.Domain.Common;
using Microsoft.AspNetCore.Identity;

namespace Amends.Web.Persistence;

/// <summary>A person who signs in: an agent, supervisor or admin. Roles live in Identity's role tables.</summary>
public sealed class AppUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    public TeamId? TeamId { get; set; }

    /// <summary>A deactivated user cannot sign in or use their API keys; their history stays.</summary>
    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    /// <summary>Away until this instant (UTC): their open cases are covered by a teammate meanwhile.</summary>
    public DateTime? AwayUntil { get; set; }

    public UserId UserId => new(Id);

    public Actor ToActor() => new(UserId, DisplayName);
}
