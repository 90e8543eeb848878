using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>
/// Filters for a case list. <c>status</c> and <c>priority</c> take one value or a comma-separated list, and
/// <c>status=open</c> means every status but Closed. <c>ownerId</c> takes a user id, <c>me</c> or <c>none</c> (unassigned);
/// <c>teamId</c> a team id or <c>mine</c>; <c>sla</c> <c>at-risk</c> (past the warning point) or <c>breached</c>;
/// <c>escalated</c> true or false. Order: open before closed, then soonest SLA breach first (breached cases, then by the
/// due time of the running clock), paused and finished clocks last.
/// </summary>
public sealed record CaseFilter(
    string? Status = null,
    string? OwnerId = null,
    string? TeamId = null,
    string? Priority = null,
    Guid? CustomerId = null,
    string? Q = null,
    string? Sla = null,
    bool? Escalated = null,
    int Page = 1,
    int PageSize = 50);

public sealed class ListCases(AmendsDbContext db, TimeProvider time)
{
    public const int MaxPageSize = 200;

    /// <summary>Lists count matches up to this many; beyond it <c>total</c> is the cap and <c>totalCapped</c> is true.</summary>
    public const int TotalCap = 10_000;

    public async Task<Result<Paged<CaseListItem>>> HandleAsync(CaseFilter filter, UserId me, CancellationToken ct)
    {
        if (filter.Page < 1)
        {
            return DomainError.Invalid("paging.page_invalid", "page", "page starts at 1.");
        }

        if (filter.PageSize is < 1 or > MaxPageSize)
        {
            return DomainError.Invalid("paging.page_size_invalid", "pageSize", $"pageSize is from 1 to {MaxPageSize}.");
        }

        var now = time.GetUtcNow();
        IQueryable<RecoveryCase> cases = db.Cases.AsNoTracking();
        var openOnly = false;

        if (!string.IsNullOrWhiteSpace(filter.Status))
        {
            if (filter.Status.Equals("open", StringComparison.OrdinalIgnoreCase))
            {
                // Compared with a parameter on purpose: EF would print a bare "IsOpen" for "== true", which SQLite cannot
                // match to the inbox index; "IsOpen" = @open it can.
                var open = true;
                cases = cases.Where(c => c.IsOpen == open);
                openOnly = true;
            }
            else
            {
                var statuses = ParseList<CaseStatus>(filter.Status, "status");
                if (!statuses.IsSuccess)
                {
                    return statuses.Error!;
                }

                var wanted = statuses.Value;
                cases = cases.Where(c => wanted.Contains(c.Status));
            }
        }

        if (!string.IsNullOrWhiteSpace(filter.Priority))
        {
            var priorities = ParseList<Priority>(filter.Priority, "priority");
            if (!priorities.IsSuccess)
            {
                return priorities.Error!;
            }

            var wanted = priorities.Value;
            cases = cases.Where(c => wanted.Contains(c.Priority));
        }

        switch (filter.OwnerId?.Trim().ToLowerInvariant())
        {
            case null or "":
                break;
            case "me":
                // Mine includes the cases I cover for an absent teammate.
                cases = cases.Where(c => c.OwnerId == me || c.CoverOwnerId == me);
                break;
            case "none":
                cases = cases.Where(c => c.OwnerId == null);
                break;
            default:
                if (!Guid.TryParse(filter.OwnerId, out var ownerGuid))
                {
                    return DomainError.Invalid("case.owner_filter_invalid", "ownerId", "ownerId is a user id, 'me' or 'none'.");
                }

                var owner = new UserId(ownerGuid);
                cases = cases.Where(c => c.OwnerId == owner);
                break;
        }

        if (!string.IsNullOrWhiteSpace(filter.TeamId))
        {
            TeamId? team;
            if (filter.TeamId.Equals("mine", StringComparison.OrdinalIgnoreCase))
            {
                team = await db.Users.Where(u => u.Id == me.Value).Select(u => u.TeamId).SingleOrDefaultAsync(ct);
            }
            else if (Guid.TryParse(filter.TeamId, out var teamGuid))
            {
                team = new TeamId(teamGuid);
            }
            else
            {
                return DomainError.Invalid("case.team_filter_invalid", "teamId", "teamId is a team id or 'mine'.");
            }

            cases = cases.Where(c => c.TeamId == team);
        }

        var at = now.UtcDateTime;
        switch (filter.Sla?.Trim().ToLowerInvariant())
        {
            case null or "":
                break;
            // The same rule as the SLA badge (Sla.SlaRisk): the clock that is running is the acknowledge clock until the case
            // is acknowledged, then the resolve clock (null while paused, waiting on the customer).
            case "breached":
                cases = cases.Where(c => c.Status != CaseStatus.Closed && (c.Sla.AcknowledgeBreached || c.Sla.ResolveBreached
                    || (c.Sla.AcknowledgeBy != null && c.Sla.AcknowledgeBy <= at)
                    || (c.Sla.AcknowledgeBy == null && c.Sla.ResolveBy != null && c.Sla.ResolveBy <= at)));
                break;
            case "at-risk":
                var stretch = at + Sla.SlaRisk.FinalStretch;
                cases = cases.Where(c => c.Status != CaseStatus.Closed && !c.Sla.AcknowledgeBreached && !c.Sla.ResolveBreached
                    && ((c.Sla.AcknowledgeBy != null && c.Sla.AcknowledgeBy > at && ((c.Sla.AcknowledgeWarnAt != null && c.Sla.AcknowledgeWarnAt <= at) || c.Sla.AcknowledgeBy <= stretch))
                        || (c.Sla.AcknowledgeBy == null && c.Sla.ResolveBy != null && c.Sla.ResolveBy > at
                            && ((c.Sla.ResolveWarnAt != null && c.Sla.ResolveWarnAt <= at) || c.Sla.ResolveBy <= stretch))));
                break;
            default:
                return DomainError.Invalid("case.sla_filter_invalid", "sla", "sla is 'at-risk' or 'breached'.");
        }

        if (filter.Escalated is { } escalated)
        {
            cases = escalated ? cases.Where(c => c.Escalation != EscalationState.None) : cases.Where(c => c.Escalation == EscalationState.None);
        }

        if (filter.CustomerId is { } customerGuid)
        {
            var customer = new CustomerId(customerGuid);
            cases = cases.Where(c => c.CustomerId == customer);
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            var text = filter.Q.Trim();
            var number = CaseNumber.Parse(text);
            if (number is { } n && !char.IsAsciiDigit(text[0]))
            {
                // "AM-10423" or "#10423" finds that case by its unique index, not every text that holds the digits.
                cases = cases.Where(c => c.Number == n);
            }
            else
            {
                // Bare digits may be a case number or part of a text ("error 404").
                var q = text.ToLower();
                var byNumber = number ?? -1;
                cases = cases.Where(c => c.Number == byNumber || c.Summary.ToLower().Contains(q)
                    || db.Customers.Any(cu => cu.Id == c.CustomerId && cu.Name.ToLower().Contains(q)));
            }
        }

        // Counting a huge inbox costs more than reading a page of it: stop counting at a cap and say so.
        var counted = await cases.Take(TotalCap + 1).CountAsync(ct);

        // Soonest breach first (UrgencyKey: a breached clock's due time is in the past), open before closed; the
        // indexes (team or owner, IsOpen, UrgencyKey, Id) serve this order without sorting.
        // With only open cases the IsOpen key is constant: leave it out, or PostgreSQL sorts instead of reading the index.
        var ordered = openOnly
            ? cases.OrderBy(c => c.UrgencyKey).ThenBy(c => c.Id)
            : cases.OrderByDescending(c => c.IsOpen).ThenBy(c => c.UrgencyKey).ThenBy(c => c.Id);
        var pageCases = await ordered
            .Skip((filter.Page - 1) * filter.PageSize)
            .Take(filter.PageSize)
            .ToListAsync(ct);
        var customerIds = pageCases.Select(c => c.CustomerId).Distinct().ToList();
        var customerNames = await db.Customers.AsNoTracking().Where(cu => customerIds.Contains(cu.Id)).ToDictionaryAsync(cu => cu.Id, cu => cu.Name, ct);
        var page = pageCases.Select(c => new { Case = c, CustomerName = customerNames.GetValueOrDefault(c.CustomerId, "") }).ToList();

        var ownerIds = page.Where(r => r.Case.OwnerId is not null).Select(r => r.Case.OwnerId!.Value.Value).Distinct().ToList();
        var owners = await db.Users.Where(u => ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);

        var items = page.Select(r => new CaseListItem(
            r.Case.Id.Value,
            r.Case.Reference,
            r.Case.CustomerId.Value,
            r.CustomerName,
            r.Case.Category,
            r.Case.Severity,
            r.Case.Priority,
            r.Case.Channel,
            r.Case.Summary,
            r.Case.Status,
            r.Case.Outcome,
            r.Case.OwnerId?.Value,
            r.Case.OwnerId is { } o ? owners.GetValueOrDefault(o.Value) : null,
            r.Case.TeamId?.Value,
            r.Case.TeamId is { } t ? teams.GetValueOrDefault(t) : null,
            r.Case.RepeatFailure,
            r.Case.CreatedAt,
            r.Case.UpdatedAt,
            r.Case.Version,
            r.Case.Sla.AcknowledgeBy,
            r.Case.Sla.NextUpdateBy,
            r.Case.Sla.ResolveBy,
            r.Case.Sla.ResolvePausedRemaining != null,
            r.Case.Sla.AcknowledgeBreached || r.Case.Sla.ResolveBreached,
            r.Case.Escalation,
            r.Case.Sla.AcknowledgeBy != null ? r.Case.Sla.AcknowledgeWarnAt : r.Case.Sla.ResolveWarnAt)).ToList();
        return Result<Paged<CaseListItem>>.Ok(new Paged<CaseListItem>(items, Math.Min(counted, TotalCap), filter.Page, filter.PageSize) { TotalCapped = counted > TotalCap });
    }

    private static Result<List<T>> ParseList<T>(string text, string field)
        where T : struct, Enum
    {
        var list = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<T>(part, ignoreCase: true, out var value) || !Enum.IsDefined(value) || int.TryParse(part, out _))
            {
                return DomainError.Invalid($"case.{field}_filter_invalid", field,
                    $"'{part}' is not a {field}; use one of {string.Join(", ", Enum.GetNames<T>())}.");
            }

            list.Add(value);
        }

        return Result<List<T>>.Ok(list);
    }
}
