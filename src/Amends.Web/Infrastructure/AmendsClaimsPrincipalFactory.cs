using System.Security.Claims;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Amends.Web.Infrastructure;

/// <summary>Adds the display name to the sign-in cookie, so the timeline can name who acted without a lookup.</summary>
internal sealed class AmendsClaimsPrincipalFactory(
    UserManager<AppUser> userManager,
    RoleManager<IdentityRole<Guid>> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, IdentityRole<Guid>>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(Policies.DisplayNameClaim, user.DisplayName));
        return identity;
    }
}
