using Amends.Domain.Common;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>
/// The display names of users and teams, which lists and case pages show beside ids. Both tables are small (people and
/// teams, not customers), so one instance keeps them all in memory and reads them again after a change made here or at
/// most <see cref="Freshness"/> after one made on another instance, instead of a look-up per request.
/// </summary>
public sealed class DirectoryNames(TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(10);

    private Snapshot? _snapshot;

    public sealed record Snapshot(IReadOnlyDictionary<Guid, string> Users, IReadOnlyDictionary<TeamId, string> Teams, DateTimeOffset ReadAt)
    {
        public string? User(UserId? id) => id is { } u ? Users.GetValueOrDefault(u.Value) : null;

        public string? Team(TeamId? id) => id is { } t ? Teams.GetValueOrDefault(t) : null;
    }

    /// <summary>Forget the names read so far: call after renaming or adding a user or a team.</summary>
    public void Invalidate() => _snapshot = null;

    /// <summary>
    /// The names, read again when older than <see cref="Freshness"/> or when one of <paramref name="users"/> or
    /// <paramref name="teams"/> is not known yet (someone added on another instance a moment ago).
    /// </summary>
    public async ValueTask<Snapshot> GetAsync(AmendsDbContext db, CancellationToken ct, IEnumerable<UserId?>? users = null, IEnumerable<TeamId?>? teams = null)
    {
        var now = time.GetUtcNow();
        if (_snapshot is { } snapshot && now - snapshot.ReadAt < Freshness
            && (users is null || users.All(u => u is null || snapshot.Users.ContainsKey(u.Value.Value)))
            && (teams is null || teams.All(t => t is null || snapshot.Teams.ContainsKey(t.Value))))
        {
            return snapshot;
        }

        // The time is taken before reading, so a change committed while the queries run is read again soon, not missed.
        var userNames = await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var teamNames = await db.Teams.AsNoTracking().Select(t => new { t.Id, t.Name }).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var fresh = new Snapshot(userNames, teamNames, now);
        _snapshot = fresh;
        return fresh;
    }
}
