using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Infrastructure;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>. Keys are long random secrets: a SHA-256 digest compared in constant time
/// is enough (a slow password hash here would cap the API at a few requests per second per core).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AmendsDbContext db,
    TimeProvider time,
    ApiKeySessions sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var presented = header["Bearer ".Length..].Trim();
        if (presented.Length < ApiKeys.MinimumLength)
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }

        var digest = ApiKeys.Digest(presented);
        if (sessions.Find(digest) is { } known)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(known, SchemeName));
        }

        var prefix = ApiKeys.PrefixOf(presented);
        var generation = sessions.Generation;
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Prefix == prefix && k.RevokedAt == null, Context.RequestAborted);
        if (key is null || !CryptographicOperations.FixedTimeEquals(key.Hash, digest))
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == key.UserId, Context.RequestAborted);
        if (user is null || !user.IsActive)
        {
            return AuthenticateResult.Fail("The API key's user is deactivated.");
        }

        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ur.UserId == user.Id
                           select r.Name).ToListAsync(Context.RequestAborted);

        var now = time.GetUtcNow().UtcDateTime;
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
        }

        db.ChangeTracker.Clear();
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.Email ?? user.UserName ?? user.Id.ToString()),
            new(Policies.DisplayNameClaim, user.DisplayName),
            new("amends:api_key", key.Id.ToString()),
        };
        claims.AddRange(roles.Where(r => r is not null).Select(r => new Claim(ClaimTypes.Role, r!)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        sessions.Keep(digest, principal, generation);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}

/// <summary>
/// Who an API key authenticated as, kept for <see cref="Lifetime"/> so a client's requests do not read the key, its
/// user and their roles again each time. Revoking a key or changing a user (role, deactivation) on this instance drops
/// every kept session at once; on another instance it takes effect within <see cref="Lifetime"/>.
/// </summary>
public sealed class ApiKeySessions(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private const int MaxKept = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ClaimsPrincipal Principal, DateTimeOffset Until, long Generation)> _kept = new();
    private long _generation;

    /// <summary>Bumped by <see cref="Forget"/>: a session read before a change is never kept after it.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public ClaimsPrincipal? Find(byte[] digest) =>
        _kept.TryGetValue(Convert.ToHexString(digest), out var kept) && kept.Until > time.GetUtcNow() && kept.Generation == Generation ? kept.Principal : null;

    public void Keep(byte[] digest, ClaimsPrincipal principal, long generation)
    {
        if (generation != Generation)
        {
            return;
        }

        if (_kept.Count >= MaxKept)
        {
            _kept.Clear();
        }

        _kept[Convert.ToHexString(digest)] = (principal, time.GetUtcNow() + Lifetime, generation);
    }

    /// <summary>Drop every kept session: a key was revoked, or a user's role or state changed.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _kept.Clear();
    }
}

/// <summary>How API keys look and are stored.</summary>
public static class ApiKeys
{
    public const int MinimumLength = 32;
    public const int PrefixLength = 12;

    /// <summary>"amk_" + 8 random characters (the prefix shown in lists) + "_" + 43 more random characters.</summary>
    public static string Generate()
    {
        var head = Base32(RandomNumberGenerator.GetBytes(5));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"amk_{head}_{secret}";
    }

    public static string PrefixOf(string key) => key[..PrefixLength];

    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base32(byte[] bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var builder = new StringBuilder();
        var buffer = 0;
        var bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                builder.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        return builder.ToString();
    }
}
