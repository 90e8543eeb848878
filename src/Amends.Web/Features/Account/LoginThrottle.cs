using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Account;

/// <summary>Sign-in attempts allowed per minute (<c>Amends:Login</c>).</summary>
public sealed class LoginOptions
{
    /// <summary>From one client address, whichever accounts it tries.</summary>
    public int PerAddressPerMinute { get; set; } = 20;

    /// <summary>For one account (e-mail), from wherever, whether or not the account exists.</summary>
    public int PerAccountPerMinute { get; set; } = 10;
}

/// <summary>
/// Rate limits on sign-in, with ASP.NET Core's limiters, in place of Identity's account lockout: ten wrong passwords used
/// to lock anyone's account for whoever sent them; now they slow the sender down for a minute and the owner signs in as
/// usual once the window has passed. An unknown e-mail is limited exactly like a real one, so the answer tells nothing.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _addresses;
    private readonly PartitionedRateLimiter<string> _accounts;

    public LoginThrottle(IOptions<LoginOptions> options)
    {
        _addresses = Limiter(options.Value.PerAddressPerMinute);
        _accounts = Limiter(options.Value.PerAccountPerMinute);
    }

    /// <summary>Takes one attempt from both the address's and the account's allowance; false when either is spent.</summary>
    public bool TryAcquire(string? address, string email)
    {
        using var byAddress = _addresses.AttemptAcquire(address ?? "unknown");
        if (!byAddress.IsAcquired)
        {
            return false;
        }

        using var byAccount = _accounts.AttemptAcquire(email.Trim().ToUpperInvariant());
        return byAccount.IsAcquired;
    }

    public void Dispose()
    {
        _addresses.Dispose();
        _accounts.Dispose();
    }

    private static PartitionedRateLimiter<string> Limiter(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, perMinute),
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));
}
