using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Playbooks;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Playbooks;

public sealed record PlaybookDto(
    Guid Id,
    FailureCategory Category,
    int Version,
    string Name,
    IReadOnlyList<string> Steps,
    IReadOnlyDictionary<TemplateKind, string> Templates,
    IReadOnlyList<RemedyType> RecommendedRemedies,
    IReadOnlyDictionary<Priority, SlaHours> Sla,
    double FollowUpAfterDays,
    int FollowUpReminders,
    DateTime CreatedAt,
    bool IsCurrent,
    IReadOnlyDictionary<string, IReadOnlyDictionary<TemplateKind, string>> Translations)
{
    public static PlaybookDto From(Playbook p, bool isCurrent) => new(
        p.Id, p.Category, p.Version, p.Content.Name, p.Content.Steps, p.Content.Templates, p.Content.RecommendedRemedies, p.Content.Sla,
        p.Content.FollowUpAfterDays, p.Content.FollowUpReminders, p.CreatedAt, isCurrent,
        p.Content.Translations ?? new Dictionary<string, IReadOnlyDictionary<TemplateKind, string>>());
}

/// <summary>A new version of the playbook for <see cref="Category"/>; cases already open keep theirs.</summary>
public sealed record SavePlaybookRequest(
    [property: Required] FailureCategory? Category,
    [property: Required, StringLength(100)] string? Name,
    [property: Required] IReadOnlyList<string>? Steps,
    [property: Required] IReadOnlyDictionary<TemplateKind, string>? Templates,
    [property: Required] IReadOnlyList<RemedyType>? RecommendedRemedies,
    [property: Required] IReadOnlyDictionary<Priority, SlaHours>? Sla,
    double FollowUpAfterDays = 3,
    int FollowUpReminders = 1,
    IReadOnlyDictionary<string, IReadOnlyDictionary<TemplateKind, string>>? Translations = null);

/// <summary>The playbooks: current versions, history, new versions, and the defaults a new installation starts with.</summary>
public sealed class PlaybookLibrary(AmendsDbContext db, TimeProvider time)
{
    private readonly Dictionary<Guid, Playbook?> _byId = [];

    public async Task<IReadOnlyList<PlaybookDto>> ListAsync(FailureCategory? category, bool allVersions, CancellationToken ct)
    {
        var query = db.Playbooks.AsNoTracking();
        if (category is { } c)
        {
            query = query.Where(p => p.Category == c);
        }

        var all = await query.ToListAsync(ct);
        var current = all.GroupBy(p => p.Category).Select(g => g.MaxBy(p => p.Version)!.Id).ToHashSet();
        return [.. all.Where(p => allVersions || current.Contains(p.Id))
            .OrderBy(p => p.Category).ThenByDescending(p => p.Version)
            .Select(p => PlaybookDto.From(p, current.Contains(p.Id)))];
    }

    public async Task<Result<PlaybookDto>> GetAsync(Guid id, CancellationToken ct)
    {
        var playbook = await db.Playbooks.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (playbook is null)
        {
            return DomainError.NotFound("playbook.not_found", $"There is no playbook {id}.");
        }

        var latest = await db.Playbooks.Where(p => p.Category == playbook.Category).MaxAsync(p => p.Version, ct);
        return Result<PlaybookDto>.Ok(PlaybookDto.From(playbook, playbook.Version == latest));
    }

    /// <summary>The version new cases of <paramref name="category"/> start with.</summary>
    public Task<Playbook?> CurrentAsync(FailureCategory category, CancellationToken ct) =>
        db.Playbooks.AsNoTracking().Where(p => p.Category == category).OrderByDescending(p => p.Version).FirstOrDefaultAsync(ct);

    /// <summary>A case's own playbook version (cached for the scope).</summary>
    public async Task<Playbook?> ByIdAsync(Guid? id, CancellationToken ct)
    {
        if (id is not { } key)
        {
            return null;
        }

        if (!_byId.TryGetValue(key, out var playbook))
        {
            playbook = await db.Playbooks.AsNoTracking().SingleOrDefaultAsync(p => p.Id == key, ct);
            _byId[key] = playbook;
        }

        return playbook;
    }

    public async Task<Result<PlaybookDto>> SaveAsync(SavePlaybookRequest request, UserId by, CancellationToken ct)
    {
        var category = request.Category!.Value;
        var version = (await db.Playbooks.Where(p => p.Category == category).Select(p => (int?)p.Version).MaxAsync(ct) ?? 0) + 1;
        var created = Playbook.Create(category, version, new PlaybookContent(
            request.Name!, request.Steps!, request.Templates!, request.RecommendedRemedies!, request.Sla!, request.FollowUpAfterDays, request.FollowUpReminders,
            request.Translations is null ? null : request.Translations.ToDictionary(t => t.Key.Trim().ToLowerInvariant(), t => t.Value)), by, time.GetUtcNow());
        if (!created.IsSuccess)
        {
            return created.Error!;
        }

        db.Playbooks.Add(created.Value);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return DomainError.Conflict("playbook.version_taken", "Someone saved this playbook at the same moment; reload and try again.");
        }

        return Result<PlaybookDto>.Ok(PlaybookDto.From(created.Value, isCurrent: true));
    }

    /// <summary>Version 1 of each default playbook, on a first start.</summary>
    public async Task SeedDefaultsAsync(CancellationToken ct)
    {
        if (await db.Playbooks.AnyAsync(ct))
        {
            return;
        }

        foreach (var (category, content) in DefaultPlaybooks.All)
        {
            db.Playbooks.Add(Playbook.Create(category, 1, content, null, time.GetUtcNow()).Value);
        }

        await db.SaveChangesAsync(ct);
    }
}
