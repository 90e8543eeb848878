using System.ComponentModel.DataAnnotations;
using Amends.Domain.Common;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Admin;

public sealed record ApiKeyDto(Guid Id, string Name, string Prefix, Guid UserId, string? UserName, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>The one response that carries the secret: it is shown once and stored only as a digest.</summary>
public sealed record CreatedApiKey(ApiKeyDto ApiKey, string Key);

/// <summary>A key acts as <see cref="UserId"/> (default: the admin creating it), with that user's role.</summary>
public sealed record CreateApiKeyRequest([property: Required, StringLength(100)] string? Name, Guid? UserId = null);

public sealed class ApiKeyAdmin(AmendsDbContext db, TimeProvider time, Infrastructure.ApiKeySessions sessions)
{
    public async Task<IReadOnlyList<ApiKeyDto>> ListAsync(CancellationToken ct)
    {
        var keys = await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(ct);
        var names = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. keys.Select(k => ToDto(k, names.GetValueOrDefault(k.UserId)))];
    }

    public async Task<Result<CreatedApiKey>> CreateAsync(CreateApiKeyRequest request, UserId admin, CancellationToken ct)
    {
        var userId = request.UserId ?? admin.Value;
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId && u.IsActive, ct);
        if (user is null)
        {
            return DomainError.NotFound("user.not_found", $"There is no active user {userId}.", "userId");
        }

        var secret = ApiKeys.Generate();
        var key = NewKey(request.Name!.Trim(), secret, userId, admin.Value, time.GetUtcNow().UtcDateTime);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return Result<CreatedApiKey>.Ok(new CreatedApiKey(ToDto(key, user.DisplayName), secret));
    }

    public async Task<DomainError?> RevokeAsync(Guid id, CancellationToken ct)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct);
        if (key is null)
        {
            return DomainError.NotFound("api_key.not_found", $"There is no API key {id}.");
        }

        key.RevokedAt ??= time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        sessions.Forget();
        return null;
    }

    /// <summary>A key row for <paramref name="secret"/>; only its digest is kept.</summary>
    public static ApiKey NewKey(string name, string secret, Guid userId, Guid? createdBy, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        Name = name,
        Prefix = ApiKeys.PrefixOf(secret),
        Hash = ApiKeys.Digest(secret),
        UserId = userId,
        CreatedBy = createdBy,
        CreatedAt = now,
    };

    private static ApiKeyDto ToDto(ApiKey k, string? userName) =>
        new(k.Id, k.Name, k.Prefix, k.UserId, userName, k.CreatedAt, k.LastUsedAt, k.RevokedAt);
}
