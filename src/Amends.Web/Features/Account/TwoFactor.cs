using System.Globalization;
using System.Text;
using Amends.Domain.Common;
using Amends.Domain.Teams;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Amends.Web.Features.Account;

public sealed record TwoFactorStatus(bool Enabled, bool Required, int RecoveryCodesLeft);

/// <summary>The key to put in an authenticator app: as text, and as the <c>otpauth://</c> address its QR code holds.</summary>
public sealed record AuthenticatorSetup(string SharedKey, string AuthenticatorUri);

/// <summary>
/// Two-factor sign-in with ASP.NET Core Identity: a TOTP authenticator app (RFC 6238) and ten one-time recovery codes.
/// An admin can require it per role; a member of such a role who has not set it up can do nothing but set it up.
/// </summary>
public sealed class TwoFactor(UserManager<AppUser> users, AmendsDbContext db, Remedies.Ledger ledger, IMemoryCache cache)
{
    public const int RecoveryCodeCount = 10;
    private const string CacheKey = "amends:two-factor-roles";

    public async Task<TwoFactorStatus> StatusAsync(Guid userId)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException($"No user {userId}.");
        return new TwoFactorStatus(user.TwoFactorEnabled, await RequiredForAsync(user), await users.CountRecoveryCodesAsync(user));
    }

    /// <summary>A new key for the authenticator app; two-factor sign-in is on only once a code from it is confirmed.</summary>
    public async Task<AuthenticatorSetup> BeginAsync(Guid userId)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException($"No user {userId}.");
        await users.ResetAuthenticatorKeyAsync(user);
        var key = (await users.GetAuthenticatorKeyAsync(user))!;
        var label = Uri.EscapeDataString("Amends:" + user.Email);
        return new AuthenticatorSetup(Grouped(key), $"otpauth://totp/{label}?secret={key}&issuer=Amends&digits=6");
    }

    /// <summary>Turns two-factor sign-in on when <paramref name="code"/> comes from the new key; returns the recovery codes, shown once.</summary>
    public async Task<Result<IReadOnlyList<string>>> EnableAsync(Guid userId, string? code)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException($"No user {userId}.");
        var digits = Digits(code);
        if (digits.Length != 6 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, digits))
        {
            return DomainError.Invalid("two_factor.code_invalid", "code", "That code does not match: enter the 6 digits your authenticator app shows now.");
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        return Result<IReadOnlyList<string>>.Ok([.. (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!]);
    }

    public async Task<Result<IReadOnlyList<string>>> NewRecoveryCodesAsync(Guid userId)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException($"No user {userId}.");
        return user.TwoFactorEnabled
            ? Result<IReadOnlyList<string>>.Ok([.. (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!])
            : DomainError.Conflict("two_factor.off", "Set up two-factor sign-in first.");
    }

    public async Task<Result<TwoFactorStatus>> DisableAsync(Guid userId)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException($"No user {userId}.");
        if (await RequiredForAsync(user))
        {
            return DomainError.Conflict("two_factor.required", "Your role requires two-factor sign-in; an admin can change that.");
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        return Result<TwoFactorStatus>.Ok(await StatusAsync(userId));
    }

    public async Task<IReadOnlyDictionary<Role, bool>> RequirementsAsync(CancellationToken ct)
    {
        var set = await RequiredRolesAsync(ct);
        return Enum.GetValues<Role>().ToDictionary(r => r, r => set.Contains(r.ToString()));
    }

    /// <summary>An admin requires (or stops requiring) two-factor sign-in for a role; on the ledger.</summary>
    public async Task<Result<bool>> SetRequiredAsync(Role role, bool required, Actor by, CancellationToken ct)
    {
        var result = await ledger.WriteAsync(async now =>
        {
            var setting = await db.RoleSettings.SingleOrDefaultAsync(s => s.Role == role.ToString(), ct);
            if (setting is null)
            {
                setting = new RoleSetting { Role = role.ToString() };
                db.RoleSettings.Add(setting);
            }

            var before = setting.RequireTwoFactor;
            setting.RequireTwoFactor = required;
            await ledger.AppendAsync("security.two_factor", by, $"role:{role}", null, null, new { requireTwoFactor = before }, new { requireTwoFactor = required }, null, now, ct);
            return Result<bool>.Ok(required);
        }, ct);
        cache.Remove(CacheKey);
        return result;
    }

    /// <summary>Whether the user must set up two-factor sign-in before doing anything else; no query at all while no role requires it.</summary>
    public async Task<bool> MustSetUpAsync(Guid userId)
    {
        if ((await RequiredRolesAsync(default)).Count == 0)
        {
            return false;
        }

        var status = await StatusAsync(userId);
        return status is { Required: true, Enabled: false };
    }

    /// <summary>Whether the user's role requires a second factor; read through a 30-second cache (checked on every request).</summary>
    public async Task<bool> RequiredForAsync(AppUser user)
    {
        var required = await RequiredRolesAsync(default);
        return required.Count > 0 && (await users.GetRolesAsync(user)).Any(required.Contains);
    }

    public async Task<IReadOnlySet<string>> RequiredRolesAsync(CancellationToken ct) =>
        (await cache.GetOrCreateAsync(CacheKey, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30);
            return (IReadOnlySet<string>)(await db.RoleSettings.AsNoTracking().Where(s => s.RequireTwoFactor).Select(s => s.Role).ToListAsync(ct)).ToHashSet();
        }))!;

    public static string Digits(string? code) => new([.. (code ?? "").Where(char.IsAsciiDigit)]);

    private static string Grouped(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            text.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return text.ToString().TrimEnd().ToLower(CultureInfo.InvariantCulture);
    }
}
