using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>
/// Filters for a case list. <c>status</c> and <c>priority</c> take one value or a comma-separated list, and
/// <c>status=open</c> means every status but Closed. <c>ownerId</c> takes a user id, <c>me</c> or <c>none</c> (unassigned);
/// <c>teamId</c> a team id or <c>mine</c>; <c>sla</c> <c>at-risk</c> (past the warning point) or <c>breached</c>;
/// <c>escalated</c> true or false; <c>detected</c> true (cases detection opened or added signals to) or false.
/// Order: open before closed, then breached cases (oldest first), then by the due time of the running clock, paused and
/// finished clocks last. A text search lists the newest matches first. <c>sort=risk</c> lists detected cases, riskiest
/// first (it implies <c>detected=true</c>).
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
    bool? Detected = null,
    string? Sort = null,
    int Page = 1,
    int PageSize = 50);

public sealed class ListCases(AmendsDbContext db, TimeProvider time, DirectoryNames names)
{
    public const int MaxPageSize = 200;

    /// <summary>Lists count matches up to this many; beyond it <c>total</c> is the cap and <c>totalCapped</c> is true.</summary>
    public const int TotalCap = 1_000;

    public async Task<Result<Paged<CaseListItem>>> HandleAsync(CaseFilter filter, UserId me, CancellationToken ct)
    {
        var query = await QueryAsync(filter, me, ct);
        if (!query.IsSuccess)
        {
            return query.Error!;
        }

        var (cases, ordered) = query.Value;
        var skip = (filter.Page - 1) * filter.PageSize;

        // One round trip: the page, with the capped count as an uncorrelated subquery the database runs once.
        var rows = await ordered.Skip(skip).Take(filter.PageSize).Select(c => new
        {
            c.Id, c.Number, c.CustomerId, c.CustomerName, c.Category, c.Severity, c.Priority, c.Channel, c.Summary, c.Status, c.Outcome,
            c.OwnerId, c.TeamId, c.RepeatFailure, c.CreatedAt, c.UpdatedAt, c.Version, c.LastCustomerMessage, c.LastCustomerMessageAt,
            c.Escalation, c.Sla.AcknowledgeBy, c.Sla.NextUpdateBy, c.Sla.ResolveBy, Paused = c.Sla.ResolvePausedRemaining != null,
            Breached = c.Sla.AcknowledgeBreached || c.Sla.ResolveBreached,
            WarnAt = c.Sla.AcknowledgeBy != null ? c.Sla.AcknowledgeWarnAt : c.Sla.ResolveWarnAt,
            Total = cases.Take(TotalCap + 1).Count(),
        }).ToListAsync(ct);
        var counted = rows.Count > 0 ? rows[0].Total : skip == 0 ? 0 : await cases.Take(TotalCap + 1).CountAsync(ct);

        var directory = await names.GetAsync(db, ct, rows.Select(r => r.OwnerId), rows.Select(r => r.TeamId));
        var items = rows.Select(r => new CaseListItem(
            r.Id.Value, CaseNumber.Format(r.Number), r.CustomerId.Value, r.CustomerName, r.Category, r.Severity, r.Priority, r.Channel,
            r.Summary, r.Status, r.Outcome, r.OwnerId?.Value, directory.User(r.OwnerId), r.TeamId?.Value, directory.Team(r.TeamId),
            r.RepeatFailure, r.CreatedAt, r.UpdatedAt, r.Version, r.AcknowledgeBy, r.NextUpdateBy, r.ResolveBy, r.Paused, r.Breached,
            r.Escalation, r.WarnAt)
        {
            LastCustomerMessage = r.LastCustomerMessage,
            LastCustomerMessageAt = r.LastCustomerMessageAt,
        }).ToList();
        return Result<Paged<CaseListItem>>.Ok(new Paged<CaseListItem>(items, Math.Min(counted, TotalCap), filter.Page, filter.PageSize) { TotalCapped = counted > TotalCap });
    }

    /// <summary>
    /// The filtered cases and the same in list order. Public for the plan tests, which check that every filter is served
    /// by an index in that order.
    /// </summary>
    public async Task<Result<(IQueryable<RecoveryCase> Filtered, IQueryable<RecoveryCase> Ordered)>> QueryAsync(CaseFilter filter, UserId me, CancellationToken ct)
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
        var text = filter.Q?.Trim();
        IReadOnlyList<string>? words = null;
        IQueryable<RecoveryCase> cases;
        if (string.IsNullOrEmpty(text))
        {
            cases = db.Cases;
        }
        else if (CaseNumber.Parse(text) is { } number && !char.IsAsciiDigit(text[0]))
        {
            // "AM-10423" or "#10423" finds that case by its unique index, not every text that holds the digits.
            cases = db.Cases.Where(c => c.Number == number);
        }
        else if (text.Contains('@') || CaseSearch.LooksLikePhone(text))
        {
            // That customer's cases (an e-mail address is one customer; a phone number may be a few), in list order off
            // the (customer, open, urgency) index when it is one.
            var email = text.Contains('@') ? Amends.Domain.Customers.Customer.NormalizeEmail(text) ?? text : null;
            var owners = await db.Customers.AsNoTracking().Where(cu => email != null ? cu.Email == email : cu.Phone == text)
                .Select(cu => cu.Id).Take(50).ToListAsync(ct);
            if (owners.Count == 0)
            {
                // Nobody has that address: a look-up of a number no case has answers "none" off an index.
                cases = db.Cases.Where(c => c.Number == -1);
            }
            else if (owners.Count == 1)
            {
                var only = owners[0];
                cases = db.Cases.Where(c => c.CustomerId == only);
            }
            else
            {
                cases = db.Cases.Where(c => owners.Contains(c.CustomerId));
            }
        }
        else if ((words = CaseSearch.Words(text)).Count > 0)
        {
            // Words and prefixes of the number, the summary and the customer's name, on the database's full-text index.
            cases = CaseSearch.Matching(db, words);
        }
        else
        {
            return DomainError.Invalid("case.q_invalid", "q", "q needs a word, a case number, an e-mail address or a phone number.");
        }

        cases = cases.AsNoTracking();
        bool? open = null;
        bool? implied = null;
        if (!string.IsNullOrWhiteSpace(filter.Status))
        {
            if (filter.Status.Equals("open", StringComparison.OrdinalIgnoreCase))
            {
                open = true;
            }
            else
            {
                var statuses = ParseList<CaseStatus>(filter.Status, "status");
                if (!statuses.IsSuccess)
                {
                    return statuses.Error!;
                }

                var wanted = statuses.Value.Distinct().ToList();
                if (wanted.Count == 1)
                {
                    var one = wanted[0];
                    cases = cases.Where(c => c.Status == one);
                }
                else
                {
                    cases = cases.Where(c => wanted.Contains(c.Status));
                }

                // A status is open or closed: when all asked for are one or the other, IsOpen is constant in the result, so
                // it leaves the order; it is not compared either, which would read each row the status index found.
                if (wanted.All(s => s != CaseStatus.Closed))
                {
                    implied = true;
                }
                else if (wanted.All(s => s == CaseStatus.Closed))
                {
                    implied = false;
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(filter.Priority))
        {
            var priorities = ParseList<Priority>(filter.Priority, "priority");
            if (!priorities.IsSuccess)
            {
                return priorities.Error!;
            }

            var wanted = priorities.Value.Distinct().ToList();
            if (wanted.Count == 1)
            {
                var one = wanted[0];
                cases = cases.Where(c => c.Priority == one);
            }
            else
            {
                cases = cases.Where(c => wanted.Contains(c.Priority));
            }
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
            // A case that has breached a clock has its opening time as its urgency (RecoveryCase.UrgencyKey), so "a clock
            // has breached or the running one is past due" is "urgency in the past", and "not breached" is "in the future".
            // A running clock with no warning time is past its warning point (the sweep clears it once it has warned).
            case "breached":
                open = true;
                cases = cases.Where(c => c.UrgencyKey <= at);
                break;
            case "at-risk":
                // The running clock past its warning point or in its final stretch, kept on the case (RecoveryCase.RiskKey).
                open = true;
                cases = cases.Where(c => c.RiskKey <= at && c.UrgencyKey > at);
                break;
            default:
                return DomainError.Invalid("case.sla_filter_invalid", "sla", "sla is 'at-risk' or 'breached'.");
        }

        if (filter.Escalated is { } escalated)
        {
            cases = escalated
                ? cases.Where(c => c.Escalation == EscalationState.Waiting || c.Escalation == EscalationState.SupervisorEngaged)
                : cases.Where(c => c.Escalation == EscalationState.None);
        }

        var byRisk = filter.Sort?.Trim().ToLowerInvariant() switch
        {
            null or "" or "urgency" => false,
            "risk" => true,
            _ => (bool?)null,
        };
        if (byRisk is null)
        {
            return DomainError.Invalid("case.sort_invalid", "sort", "sort is 'urgency' (the default) or 'risk'.");
        }

        if (byRisk == true && filter.Detected == false)
        {
            return DomainError.Invalid("case.sort_invalid", "sort", "sort=risk lists detected cases; it cannot go with detected=false.");
        }

        if (filter.Detected is { } detected || byRisk == true)
        {
            cases = filter.Detected == false ? cases.Where(c => c.DetectedRisk == null) : cases.Where(c => c.DetectedRisk != null);
        }

        if (filter.CustomerId is { } customerGuid)
        {
            var customer = new CustomerId(customerGuid);
            cases = cases.Where(c => c.CustomerId == customer);
        }

        // Compared with a parameter on purpose: EF would print a bare "IsOpen" for "== true", which SQLite cannot match
        // to the index; "IsOpen" = @open it can.
        if (open is { } isOpen && implied != isOpen)
        {
            cases = cases.Where(c => c.IsOpen == isOpen);
        }

        open ??= implied;

        // A search with no other filter counts and pages the newest matches alone: on SQLite the full-text index hands them
        // over in number order and stops at the cap, instead of every match of a common word being gathered first.
        var searchOnly = words is not null && filter is { Status: null or "", Priority: null or "", OwnerId: null or "", TeamId: null or "", Sla: null or "", Escalated: null, Detected: null, Sort: null or "", CustomerId: null };
        if (searchOnly)
        {
            cases = CaseSearch.Matching(db, words!, TotalCap + 1).AsNoTracking();
        }

        // A text search lists the newest matches first. Otherwise open before closed, then by UrgencyKey (breached cases
        // first, then the running clock's due time), which the indexes (…, IsOpen DESC, UrgencyKey, Id) serve without a
        // sort. With IsOpen constant its key is left out, or PostgreSQL sorts.
        IQueryable<RecoveryCase> ordered = words is not null
            ? (searchOnly ? CaseSearch.Matching(db, words!, filter.Page * filter.PageSize).AsNoTracking() : cases).OrderByDescending(c => c.Number)
            : byRisk == true
                ? open is not null
                    ? cases.OrderByDescending(c => c.DetectedRisk).ThenBy(c => c.Id)
                    : cases.OrderByDescending(c => c.IsOpen).ThenByDescending(c => c.DetectedRisk).ThenBy(c => c.Id)
            : open is not null
                ? cases.OrderBy(c => c.UrgencyKey).ThenBy(c => c.Id)
                : cases.OrderByDescending(c => c.IsOpen).ThenBy(c => c.UrgencyKey).ThenBy(c => c.Id);
        return Result<(IQueryable<RecoveryCase>, IQueryable<RecoveryCase>)>.Ok((cases, ordered));
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
