namespace Amends.Web.Infrastructure;

/// <summary>The <c>Amends:Security</c> settings.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Amends:Security";

    /// <summary>
    /// Addresses of reverse proxies (TLS terminators) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
    /// believed: the client's address (for sign-in limits) and the scheme (for the Secure cookie) come from them.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Send the sign-in cookie over plain HTTP in Production. Only for tests on loopback; never in a deployment.</summary>
    public bool AllowInsecureCookies { get; set; }
}
