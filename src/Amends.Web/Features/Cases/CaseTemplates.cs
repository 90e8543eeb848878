using System.Globalization;
using Amends.Domain.Common;
using Amends.Domain.Playbooks;
using Amends.Web.Features.Playbooks;
using Amends.Web.Features.Sla;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>The case's playbook messages with merge fields filled: names, the summary, and due times in the team's time zone.</summary>
public sealed class CaseTemplates(AmendsDbContext db, PlaybookLibrary playbooks, SlaClocks clocks)
{
    public async Task<Result<IReadOnlyList<RenderedTemplate>>> RenderAsync(Guid id, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().SingleOrDefaultAsync(x => x.Id == new CaseId(id), ct);
        if (c is null)
        {
            return DomainError.NotFound("case.not_found", $"There is no case {id}.");
        }

        var playbook = await playbooks.ByIdAsync(c.PlaybookId, ct) ?? await playbooks.CurrentAsync(c.Category, ct);
        if (playbook is null)
        {
            return Result<IReadOnlyList<RenderedTemplate>>.Ok([]);
        }

        var customer = await db.Customers.AsNoTracking().SingleAsync(x => x.Id == c.CustomerId, ct);
        var zone = (await clocks.CalendarForAsync(c.TeamId, ct)).Zone;
        var values = await ValuesAsync(db, c, customer, zone, ct);
        return Result<IReadOnlyList<RenderedTemplate>>.Ok([.. Enum.GetValues<TemplateKind>().Select(k => new RenderedTemplate(k, playbook.Render(k, values, customer.Language)))]);
    }

    /// <summary>The merge fields of a case: names, the number, and due times in <paramref name="zone"/>.</summary>
    public static async Task<Dictionary<string, string?>> ValuesAsync(AmendsDbContext db, Amends.Domain.Cases.RecoveryCase c, Amends.Domain.Customers.Customer customer, TimeZoneInfo zone, CancellationToken ct)
    {
        var owner = c.OwnerId is { } o ? await db.Users.Where(u => u.Id == o.Value).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null;
        var team = c.TeamId is { } t ? await db.Teams.Where(x => x.Id == t).Select(x => x.Name).SingleOrDefaultAsync(ct) : null;
        string? Local(DateTime? utc) => utc is { } u
            ? TimeZoneInfo.ConvertTimeFromUtc(u, zone).ToString("dddd d MMMM, HH:mm", CultureInfo.InvariantCulture)
            : null;

        return new Dictionary<string, string?>
        {
            ["customer.name"] = customer.Name,
            ["customer.firstName"] = customer.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(),
            ["owner.name"] = owner,
            ["case.summary"] = char.ToLowerInvariant(c.Summary[0]) + c.Summary[1..],
            ["case.reference"] = c.Reference,
            ["team.name"] = team,
            ["resolveBy"] = Local(c.Sla.ResolveBy),
            ["nextUpdateBy"] = Local(c.Sla.NextUpdateBy ?? c.Sla.AcknowledgeBy),
        };
    }
}
