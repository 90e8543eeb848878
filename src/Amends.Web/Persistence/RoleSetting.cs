namespace Amends.Web.Persistence;

/// <summary>What a role asks of its members' sign-in, set by an admin.</summary>
public sealed class RoleSetting
{
    /// <summary>The role's name (<c>Agent</c>, <c>Supervisor</c>, <c>Admin</c>).</summary>
    public string Role { get; set; } = "";

    /// <summary>Members must sign in with a second factor (an authenticator app's code, or a recovery code).</summary>
    public bool RequireTwoFactor { get; set; }
}
