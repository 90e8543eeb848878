using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Playbooks;
using Amends.Domain.Remedies;
using Amends.Domain.Teams;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Remedies;

/// <summary>Remedy settings (<c>Amends:Remedies</c>).</summary>
public sealed class RemedySettings
{
    /// <summary>The currency of authority limits and the catalogue; offers are made in it.</summary>
    public string Currency { get; set; } = "EUR";

    /// <summary>Hours within which an approval request should be decided (the approval's SLA).</summary>
    public double ApprovalHours { get; set; } = 4;

    /// <summary>Days an offer stays open when the request gives no expiry.</summary>
    public int DefaultExpiryDays { get; set; } = 7;
}

public sealed record OfferOptionRequest([property: Required] RemedyType? Type, [property: StringLength(OfferOption.MaxDescriptionLength)] string? Description, long AmountMinor);

/// <summary>Options for the customer, in the organisation's currency; a reason when the value is unusual for such cases.</summary>
public sealed record MakeOfferRequest([property: Required, NoNullItems] IReadOnlyList<OfferOptionRequest>? Options, DateTimeOffset? ExpiresAt, string? Currency, [property: StringLength(RemedyOffer.MaxTextLength)] string? Reason);

public sealed record ChooseOptionRequest([property: Required] Guid? OptionId);

public sealed record FulfilOfferRequest([property: StringLength(200)] string? Reference);

public sealed record DecisionRequest([property: StringLength(RemedyOffer.MaxTextLength)] string? Reason);

public sealed record OfferDto(
    Guid Id, Guid CaseId, OfferStatus Status, IReadOnlyList<OfferOption> Options, string Currency, long MaxAmountMinor, DateTime CreatedAt,
    Guid CreatedBy, string CreatedByName, DateTime ExpiresAt, string? Reason, Role? RequiredApprover, DateTime? ApprovalDueAt, bool ApprovalOverdue,
    Guid? GrantedBy, DateTime? GrantedAt, Guid? DecidedBy, string? DecidedByName, string? DecisionReason, Guid? ChosenOptionId, DateTime? ChosenAt,
    string? FulfilmentReference, string? FulfilledByName, DateTime? FulfilledAt, string? ClosedReason, long Version)
{
    public static OfferDto From(RemedyOffer o, DateTimeOffset now) => new(
        o.Id, o.CaseId.Value, o.StatusAt(now), o.Options, o.Currency, o.MaxAmountMinor, o.CreatedAt, o.CreatedBy.Value, o.CreatedByName, o.ExpiresAt,
        o.Reason, o.StatusAt(now) == OfferStatus.AwaitingApproval ? o.RequiredApprover : null, o.ApprovalDueAt,
        o.StatusAt(now) == OfferStatus.AwaitingApproval && o.ApprovalDueAt < now.UtcDateTime, o.GrantedBy?.Value, o.GrantedAt, o.DecidedBy?.Value,
        o.DecidedByName, o.DecisionReason, o.ChosenOptionId, o.ChosenAt, o.FulfilmentReference, o.FulfilledByName, o.FulfilledAt, o.ClosedReason, o.Version);
}

/// <summary>Someone's authority on a case right now.</summary>
public sealed record AuthorityDto(long? PerCaseLimitMinor, long? Per30DaysLimitMinor, long? PerCaseLeftMinor, long? WindowLeftMinor, long HeldOnCaseMinor, long GrantedIn30DaysMinor, string Currency);

/// <summary>Everything the remedy panel of a case shows.</summary>
public sealed record RemedyPanel(IReadOnlyList<OfferDto> Offers, FairnessGuidance Guidance, AuthorityDto Authority, IReadOnlyList<CatalogueItemDto> Catalogue, bool AwaitingApproval);

/// <summary>An approval request in a supervisor's queue.</summary>
public sealed record ApprovalItem(OfferDto Offer, string CaseSummary, string CustomerName, FailureCategory Category, Severity Severity, bool CanDecide, string? CannotDecideBecause);

/// <summary>
/// Offers, grants within authority, approvals above it, the customer's choice and fulfilment, every step on the case's
/// timeline and on the audit ledger, inside <see cref="Ledger.WriteAsync{T}"/> so concurrent grants are counted in turn.
/// </summary>
public sealed class Remedies(AmendsDbContext db, Ledger ledger, TimeProvider time, CaseChangeFeed feed, Sla.SlaClocks clocks, IOptions<RemedySettings> settings)
{
    private RemedySettings Settings => settings.Value;

    public async Task<Result<RemedyPanel>> PanelAsync(Guid caseId, Actor user, Role role, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().SingleOrDefaultAsync(x => x.Id == new CaseId(caseId), ct);
        if (c is null)
        {
            return DomainError.NotFound("case.not_found", $"There is no case {caseId}.");
        }

        var now = time.GetUtcNow();
        var offers = await db.Offers.AsNoTracking().Where(o => o.CaseId == c.Id).OrderByDescending(o => o.CreatedAt).ToListAsync(ct);
        var guidance = await GuidanceAsync(c, now, ct);
        var (_, authority) = await AuthorityAsync(user.Id, role, c.Id, now, ct);
        var catalogue = await db.RemedyCatalogue.AsNoTracking().Where(i => i.Active).OrderBy(i => i.Type).ThenBy(i => i.Name).ToListAsync(ct);
        return Result<RemedyPanel>.Ok(new RemedyPanel([.. offers.Select(o => OfferDto.From(o, now))], guidance, authority, [.. catalogue.Select(CatalogueItemDto.From)],
            offers.Any(o => o.StatusAt(now) == OfferStatus.AwaitingApproval)));
    }

    /// <summary>The case's offers, newest first, without the guidance and authority the panel adds.</summary>
    public async Task<Result<IReadOnlyList<OfferDto>>> OffersAsync(Guid caseId, CancellationToken ct)
    {
        var id = new CaseId(caseId);
        if (!await db.Cases.AnyAsync(x => x.Id == id, ct))
        {
            return DomainError.NotFound("case.not_found", $"There is no case {caseId}.");
        }

        var now = time.GetUtcNow();
        var offers = await db.Offers.AsNoTracking().Where(o => o.CaseId == id).OrderByDescending(o => o.CreatedAt).ToListAsync(ct);
        return Result<IReadOnlyList<OfferDto>>.Ok([.. offers.Select(o => OfferDto.From(o, now))]);
    }

    public async Task<Result<OfferDto>> OfferAsync(Guid caseId, MakeOfferRequest request, Actor by, Role role, CancellationToken ct) => await PublishAsync(
        await ledger.WriteAsync(async now =>
        {
            var c = await db.Cases.SingleOrDefaultAsync(x => x.Id == new CaseId(caseId), ct);
            if (c is null)
            {
                return DomainError.NotFound("case.not_found", $"There is no case {caseId}.");
            }

            if (!CaseAccess.Works(c, by.Id, role >= Role.Supervisor))
            {
                return DomainError.Forbidden("offer.not_owner", "Only the case's owner (or their cover, or a supervisor) makes offers on it.");
            }

            var currency = string.IsNullOrWhiteSpace(request.Currency) ? Settings.Currency : request.Currency.Trim().ToUpperInvariant();
            if (currency != Settings.Currency)
            {
                return DomainError.Invalid("offer.currency_unsupported", "currency", $"Authority limits are kept in {Settings.Currency}; make the offer in {Settings.Currency}.");
            }

            var options = (request.Options ?? []).Select(o => (o.Type ?? RemedyType.Gesture, o.Description, o.AmountMinor)).ToList();
            var created = RemedyOffer.Create(c.Id, options, currency, request.ExpiresAt ?? now.AddDays(Settings.DefaultExpiryDays), request.Reason, by, now);
            if (!created.IsSuccess)
            {
                return created.Error!;
            }

            var offer = created.Value;
            var guidance = await GuidanceAsync(c, now, ct);
            var unusual = offer.Options.Where(o => o.Type != RemedyType.ApologyOnly).Select(o => o.AmountMinor).Where(guidance.IsOutlier).ToList();
            if (unusual.Count > 0 && offer.Reason is null)
            {
                return DomainError.Invalid("offer.reason_required", "reason",
                    $"Similar recovered cases received between {new Money(guidance.P10!.Value, currency)} and {new Money(guidance.P90!.Value, currency)} " +
                    $"(10th to 90th percentile, {guidance.Count} cases); say why this offer is outside that range.");
            }

            var (left, authority) = await AuthorityAsync(by.Id, role, c.Id, now, ct);
            var value = offer.MaxValue;
            var approver = left.Covers(offer.MaxAmountMinor) ? (Role?)null : await ApproverForAsync(offer.MaxAmountMinor, authority.HeldOnCaseMinor, ct);
            var recorded = c.RecordRemedy(approver is null
                ? $"Offered {Describe(offer)} to the customer, open until {offer.ExpiresAt:yyyy-MM-dd HH:mm} UTC"
                : $"Proposed {Describe(offer)}: above {by.Name}'s authority, waiting for {(approver == Role.Admin ? "an admin" : "a supervisor")} to approve", by, now);
            if (recorded is not null)
            {
                return recorded;
            }

            db.Offers.Add(offer);
            await ledger.AppendAsync("offer.created", by, $"offer:{offer.Id}", caseId, value, null, Snapshot(offer, now), offer.Reason, now, ct);
            if (approver is not { } level)
            {
                var before = Snapshot(offer, now);
                offer.Grant(by, approval: false, null, now);
                await ledger.AppendAsync("offer.granted", by, $"offer:{offer.Id}", caseId, value, before, Snapshot(offer, now), "within the offerer's authority", now, ct);
            }
            else
            {
                var before = Snapshot(offer, now);
                offer.RequestApproval(level, now.AddHours(Settings.ApprovalHours));
                await ledger.AppendAsync("approval.requested", by, $"offer:{offer.Id}", caseId, value, before, Snapshot(offer, now),
                    $"above the offerer's authority; {level} approves", now, ct);
            }

            await clocks.ReconcileAsync(c, now, ct);
            return Result<OfferDto>.Ok(OfferDto.From(offer, now));
        }, ct), caseId, ct);

    public Task<Result<OfferDto>> ApproveAsync(Guid offerId, DecisionRequest request, Actor by, Role role, CancellationToken ct) =>
        OnOfferAsync(offerId, by, async (offer, c, now, before) =>
        {
            if (RequireApprover(offer, role, now) is { } level)
            {
                return level;
            }

            if (offer.StatusAt(now) == OfferStatus.AwaitingApproval && offer.CreatedBy != by.Id)
            {
                var (left, _) = await AuthorityAsync(by.Id, role, c.Id, now, ct);
                if (!left.Covers(offer.MaxAmountMinor))
                {
                    if (role == Role.Admin)
                    {
                        return DomainError.Forbidden("approval.above_limit", "This offer is above your own authority limit; raise the limit first.");
                    }

                    offer.RequestApproval(Role.Admin, now.AddHours(Settings.ApprovalHours));
                    await ledger.AppendAsync("approval.raised", by, $"offer:{offer.Id}", c.Id.Value, offer.MaxValue, before, Snapshot(offer, now),
                        "above the approving supervisor's own limit", now, ct);
                    c.RecordRemedy($"Sent on to an admin: {offer.MaxValue} is above {by.Name}'s own limit", by, now);
                    return null;
                }
            }

            var error = offer.Grant(by, approval: true, request.Reason, now);
            if (error is not null)
            {
                return error;
            }

            await ledger.AppendAsync("approval.approved", by, $"offer:{offer.Id}", c.Id.Value, offer.MaxValue, before, Snapshot(offer, now), request.Reason, now, ct);
            return c.RecordRemedy($"{by.Name} approved {Describe(offer)}; it is now offered to the customer", by, now);
        }, ct);

    public Task<Result<OfferDto>> DenyAsync(Guid offerId, DecisionRequest request, Actor by, Role role, CancellationToken ct) =>
        OnOfferAsync(offerId, by, async (offer, c, now, before) =>
        {
            if (RequireApprover(offer, role, now) is { } level)
            {
                return level;
            }

            var error = offer.Deny(by, request.Reason, now);
            if (error is not null)
            {
                return error;
            }

            await ledger.AppendAsync("approval.denied", by, $"offer:{offer.Id}", c.Id.Value, offer.MaxValue, before, Snapshot(offer, now), request.Reason, now, ct);
            return c.RecordRemedy($"{by.Name} did not approve {Describe(offer)}: {offer.DecisionReason}", by, now);
        }, ct);

    public Task<Result<OfferDto>> ChooseAsync(Guid offerId, ChooseOptionRequest request, Actor by, Role role, CancellationToken ct) =>
        ChooseAsync(offerId, request.OptionId!.Value, by, CaseAccess.For(by, role, CaseRule.Work), null, ct);

    /// <summary>The customer's own choice, on their status page: through the same rules as staff, for an offer on that case only.</summary>
    public Task<Result<OfferDto>> ChooseAsCustomerAsync(Guid caseId, Guid offerId, Guid optionId, CancellationToken ct) =>
        ChooseAsync(offerId, optionId, null, CaseAccess.Customer, caseId, ct);

    private Task<Result<OfferDto>> ChooseAsync(Guid offerId, Guid optionId, Actor? by, CaseAccess access, Guid? onCase, CancellationToken ct) =>
        OnOfferAsync(offerId, by, async (offer, c, now, before) =>
        {
            if (onCase is { } expected && c.Id.Value != expected)
            {
                return DomainError.NotFound("offer.not_found", $"There is no offer {offerId}.");
            }

            if (access.Check(c) is { } forbidden)
            {
                return forbidden;
            }

            var error = offer.Choose(optionId, now);
            if (error is not null)
            {
                return error;
            }

            var chosen = offer.Chosen!;
            await ledger.AppendAsync("offer.chosen", by, $"offer:{offer.Id}", c.Id.Value, new Money(chosen.AmountMinor, offer.Currency), before, Snapshot(offer, now),
                by is null ? "Chosen by the customer on their status page" : null, now, ct);
            return c.RecordRemedy($"The customer chose: {chosen.Description} ({new Money(chosen.AmountMinor, offer.Currency)})" + (by is null ? " (on their status page)" : ""), by, now);
        }, ct);

    public Task<Result<OfferDto>> FulfilAsync(Guid offerId, FulfilOfferRequest request, Actor by, Role role, CancellationToken ct) =>
        OnOfferAsync(offerId, by, async (offer, c, now, before) =>
        {
            if (CaseAccess.For(by, role, CaseRule.Work).Check(c) is { } forbidden)
            {
                return forbidden;
            }

            var error = offer.Fulfil(request.Reference, by, now);
            if (error is not null)
            {
                return error;
            }

            var chosen = offer.Chosen!;
            await ledger.AppendAsync("offer.fulfilled", by, $"offer:{offer.Id}", c.Id.Value, new Money(chosen.AmountMinor, offer.Currency), before, Snapshot(offer, now), offer.FulfilmentReference, now, ct);
            return c.RecordRemedy($"Fulfilled: {chosen.Description}" + (offer.FulfilmentReference is { } r ? $" (reference {r})" : ""), by, now, delivered: true);
        }, ct);

    public Task<Result<OfferDto>> WithdrawAsync(Guid offerId, DecisionRequest request, Actor by, Role role, CancellationToken ct) =>
        OnOfferAsync(offerId, by, async (offer, c, now, before) =>
        {
            if (offer.CreatedBy != by.Id && !CaseAccess.Works(c, by.Id, role >= Role.Supervisor))
            {
                return DomainError.Forbidden("offer.not_owner", "Only who made the offer, the case's owner or a supervisor withdraws it.");
            }

            var error = offer.Withdraw(request.Reason, now);
            if (error is not null)
            {
                return error;
            }

            await ledger.AppendAsync("offer.withdrawn", by, $"offer:{offer.Id}", c.Id.Value, offer.MaxValue, before, Snapshot(offer, now), request.Reason, now, ct);
            return c.RecordRemedy($"Withdrew the offer of {Describe(offer)}", by, now);
        }, ct);

    public async Task<IReadOnlyList<ApprovalItem>> ApprovalsAsync(Actor user, Role role, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var at = now.UtcDateTime;
        var rows = await (from o in db.Offers.AsNoTracking()
                          where o.Status == OfferStatus.AwaitingApproval && o.ExpiresAt > at
                          join c in db.Cases.AsNoTracking() on o.CaseId equals c.Id
                          join cu in db.Customers.AsNoTracking() on c.CustomerId equals cu.Id
                          orderby o.ApprovalDueAt
                          select new { Offer = o, c.Summary, Customer = cu.Name, c.Category, c.Severity }).Take(200).ToListAsync(ct);
        return [.. rows.Select(r =>
        {
            var reason = r.Offer.CreatedBy == user.Id ? "your own request"
                : r.Offer.RequiredApprover == Role.Admin && role != Role.Admin ? "above the supervisors' limit: an admin decides" : null;
            return new ApprovalItem(OfferDto.From(r.Offer, now), r.Summary, r.Customer, r.Category, r.Severity, reason is null, reason);
        })];
    }

    /// <summary>How many offers wait for a decision (for the menu's badge).</summary>
    public Task<int> WaitingCountAsync(CancellationToken ct)
    {
        var at = time.GetUtcNow().UtcDateTime;
        return db.Offers.CountAsync(o => o.Status == OfferStatus.AwaitingApproval && o.ExpiresAt > at, ct);
    }

    /// <summary>What similar recovered cases received: same category and severity, closed Recovered in the last 12 months.</summary>
    public async Task<FairnessGuidance> GuidanceAsync(RecoveryCase c, DateTimeOffset now, CancellationToken ct)
    {
        var since = now.UtcDateTime.AddMonths(-12);
        var given = await (from o in db.Offers.AsNoTracking()
                           join x in db.Cases.AsNoTracking() on o.CaseId equals x.Id
                           where x.Category == c.Category && x.Severity == c.Severity && x.Outcome == CaseOutcome.Recovered
                                 && x.ClosedAt >= since && x.Id != c.Id
                                 && (o.Status == OfferStatus.Chosen || o.Status == OfferStatus.Fulfilled) && o.Currency == Settings.Currency
                           orderby o.ChosenAt descending
                           select new { o.CaseId, o.Options, o.ChosenOptionId }).Take(20_000).ToListAsync(ct);
        var chosen = given.Select(g => (g.CaseId, Option: g.Options.First(o => o.Id == g.ChosenOptionId))).ToList();
        var perCase = chosen.GroupBy(g => g.CaseId).Select(g => g.Sum(x => x.Option.AmountMinor)).ToList();
        return FairnessGuidance.From(perCase, chosen.Select(x => x.Option.Type), Settings.Currency);
    }

    /// <summary>The limit that applies to a user (their override, else their role's), what is held on the case, what they granted in 30 days.</summary>
    public async Task<(AuthorityLeft Left, AuthorityDto Dto)> AuthorityAsync(UserId user, Role role, CaseId caseId, DateTimeOffset now, CancellationToken ct)
    {
        var limit = await db.AuthorityLimits.AsNoTracking().SingleOrDefaultAsync(l => l.UserId == user, ct)
            ?? await db.AuthorityLimits.AsNoTracking().SingleOrDefaultAsync(l => l.Role == role, ct);
        var onCase = await db.Offers.AsNoTracking().Where(o => o.CaseId == caseId && o.GrantedBy != null).ToListAsync(ct);
        var since = now.UtcDateTime - AuthorityLeft.Window;
        var byUser = await db.Offers.AsNoTracking().Where(o => o.GrantedBy == user && o.GrantedAt >= since).ToListAsync(ct);
        var held = onCase.Sum(o => o.HeldMinor(now));
        var granted = byUser.Sum(o => o.HeldMinor(now));
        var left = AuthorityLeft.Of(limit, held, granted, Settings.Currency);
        return (left, new AuthorityDto(limit?.PerCaseMinor, limit?.Per30DaysMinor, left.PerCaseLeftMinor, left.WindowLeftMinor, held, granted, Settings.Currency));
    }

    /// <summary>Supervisors approve what fits their role's per-case limit on this case; above it, an admin does.</summary>
    private async Task<Role> ApproverForAsync(long amountMinor, long heldOnCaseMinor, CancellationToken ct)
    {
        var supervisors = await db.AuthorityLimits.AsNoTracking().SingleOrDefaultAsync(l => l.Role == Role.Supervisor, ct);
        return supervisors is not null && AuthorityLeft.Of(supervisors, heldOnCaseMinor, 0, Settings.Currency).Covers(amountMinor) ? Role.Supervisor : Role.Admin;
    }

    /// <summary>An offer waiting for an admin is decided by an admin only.</summary>
    private static DomainError? RequireApprover(RemedyOffer offer, Role role, DateTimeOffset now) =>
        offer.StatusAt(now) == OfferStatus.AwaitingApproval && offer.RequiredApprover == Role.Admin && role != Role.Admin
            ? DomainError.Forbidden("approval.admin_required", "This offer is above the supervisors' limit; an admin decides on it.")
            : null;

    private async Task<Result<OfferDto>> OnOfferAsync(Guid offerId, Actor? by, Func<RemedyOffer, RecoveryCase, DateTimeOffset, object, Task<DomainError?>> change, CancellationToken ct)
    {
        Guid caseId = default;
        var result = await ledger.WriteAsync(async now =>
        {
            var offer = await db.Offers.SingleOrDefaultAsync(o => o.Id == offerId, ct);
            if (offer is null)
            {
                return DomainError.NotFound("offer.not_found", $"There is no offer {offerId}.");
            }

            var c = await db.Cases.SingleAsync(x => x.Id == offer.CaseId, ct);
            caseId = c.Id.Value;
            var error = await change(offer, c, now, Snapshot(offer, now));
            if (error is not null)
            {
                return error;
            }

            await clocks.ReconcileAsync(c, now, ct);
            return Result<OfferDto>.Ok(OfferDto.From(offer, now));
        }, ct);
        return await PublishAsync(result, caseId, ct);
    }

    private async Task<Result<OfferDto>> PublishAsync(Result<OfferDto> result, Guid caseId, CancellationToken ct)
    {
        if (result.IsSuccess)
        {
            var c = await db.Cases.AsNoTracking().Where(x => x.Id == new CaseId(caseId)).Select(x => new { x.TeamId, x.OwnerId }).SingleAsync(ct);
            await feed.PublishAsync(new CaseChanged(new CaseId(caseId), CaseChangeKind.Updated, c.TeamId, c.OwnerId));
        }

        return result;
    }

    private static string Describe(RemedyOffer offer) =>
        offer.Options.Count == 1
            ? $"{offer.Options[0].Description} ({new Money(offer.Options[0].AmountMinor, offer.Currency)})"
            : $"a choice of {offer.Options.Count} remedies (up to {offer.MaxValue})";

    /// <summary>
    /// A case that closes withdraws its offers nobody chose (offered, or waiting for approval), each on the ledger with the
    /// reason, so no closed case keeps value on hold. Runs inside <see cref="Ledger.WriteAsync{T}"/>.
    /// </summary>
    public static async Task<int> WithdrawUnchosenAsync(AmendsDbContext db, Ledger ledger, RecoveryCase c, Actor? by, DateTimeOffset now, CancellationToken ct)
    {
        var open = await db.Offers.Where(Unchosen).Where(o => o.CaseId == c.Id).ToListAsync(ct);
        var withdrawn = 0;
        foreach (var offer in open)
        {
            var before = Snapshot(offer, now);
            if (offer.Withdraw(ClosedReason, now) is null)
            {
                await ledger.AppendAsync("offer.withdrawn", by, $"offer:{offer.Id}", c.Id.Value, offer.MaxValue, before, Snapshot(offer, now), ClosedReason, now, ct);
                withdrawn++;
            }
        }

        return withdrawn;
    }

    public const string ClosedReason = "The case closed before the customer chose";

    /// <summary>Offers still out, with nobody's choice yet (offered, or waiting for approval) as stored.</summary>
    public static readonly System.Linq.Expressions.Expression<Func<RemedyOffer, bool>> Unchosen =
        o => o.Status == OfferStatus.Offered || o.Status == OfferStatus.AwaitingApproval;

    private static object Snapshot(RemedyOffer o, DateTimeOffset now) => new
    {
        status = o.StatusAt(now).ToString(),
        options = o.Options.Select(x => new { x.Id, type = x.Type.ToString(), x.Description, x.AmountMinor }),
        o.Currency,
        expiresAt = o.ExpiresAt,
        requiredApprover = o.RequiredApprover?.ToString(),
        grantedBy = o.GrantedBy?.Value,
        decidedBy = o.DecidedBy?.Value,
        o.ChosenOptionId,
        o.FulfilmentReference,
    };
}
