using Amends.Domain.Common;
using Amends.Domain.Playbooks;

namespace Amends.Domain.Remedies;

public enum OfferStatus
{
    /// <summary>Above the offerer's authority: waiting for a supervisor (or an admin) to approve it.</summary>
    AwaitingApproval,

    /// <summary>Granted and put to the customer; waiting for their choice.</summary>
    Offered,

    Chosen,
    Fulfilled,
    Withdrawn,
    Denied,
    Expired,
}

/// <summary>One thing the customer may choose: a refund of 25.00, a replacement, a voucher…</summary>
public sealed record OfferOption(Guid Id, RemedyType Type, string Description, long AmountMinor)
{
    public const int MaxDescriptionLength = 300;
}

/// <summary>
/// Remedies put to a customer on a case: one or more options, an expiry, then the customer's choice and its fulfilment
/// (with a reference such as the refund id). An offer above its author's authority first waits for approval. The value an
/// offer holds against authority limits is its most valuable option until a choice, then the chosen one; an offer that
/// was withdrawn, denied or expired holds nothing.
/// </summary>
public sealed class RemedyOffer
{
    public const int MaxOptions = 5;
    public const int MaxTextLength = 1000;

    private List<OfferOption> _options = [];

    private RemedyOffer()
    {
        Currency = "";
        CreatedByName = "";
    }

    public Guid Id { get; private set; }

    public CaseId CaseId { get; private set; }

    public IReadOnlyList<OfferOption> Options
    {
        get => _options;
        private set => _options = [.. value];
    }

    public string Currency { get; private set; }

    public OfferStatus Status { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public UserId CreatedBy { get; private set; }

    public string CreatedByName { get; private set; }

    public DateTime ExpiresAt { get; private set; }

    /// <summary>Why the value is outside what similar cases received, when it is (kept on the ledger too).</summary>
    public string? Reason { get; private set; }

    /// <summary>Whose authority granted it: the offerer's within their limit, else the approver's.</summary>
    public UserId? GrantedBy { get; private set; }

    public DateTime? GrantedAt { get; private set; }

    /// <summary>Who may approve it while it waits: a supervisor, or an admin when it is above the supervisors' limit.</summary>
    public Teams.Role? RequiredApprover { get; private set; }

    /// <summary>The approval's own SLA: when a decision is due.</summary>
    public DateTime? ApprovalDueAt { get; private set; }

    public UserId? DecidedBy { get; private set; }

    public string? DecidedByName { get; private set; }

    public string? DecisionReason { get; private set; }

    public Guid? ChosenOptionId { get; private set; }

    public DateTime? ChosenAt { get; private set; }

    public string? FulfilmentReference { get; private set; }

    public UserId? FulfilledBy { get; private set; }

    public string? FulfilledByName { get; private set; }

    public DateTime? FulfilledAt { get; private set; }

    public DateTime? ClosedAt { get; private set; }

    public string? ClosedReason { get; private set; }

    public long Version { get; private set; }

    public OfferOption? Chosen => _options.FirstOrDefault(o => o.Id == ChosenOptionId);

    /// <summary>The most the customer could receive from this offer.</summary>
    public long MaxAmountMinor => _options.Count == 0 ? 0 : _options.Max(o => o.AmountMinor);

    public Money MaxValue => new(MaxAmountMinor, Currency);

    /// <summary>Status as of <paramref name="now"/>: an offer nobody chose before its expiry is expired.</summary>
    public OfferStatus StatusAt(DateTimeOffset now) =>
        Status is OfferStatus.Offered or OfferStatus.AwaitingApproval && now.UtcDateTime >= ExpiresAt ? OfferStatus.Expired : Status;

    /// <summary>What this offer holds against authority limits at <paramref name="now"/> (minor units).</summary>
    public long HeldMinor(DateTimeOffset now) => StatusAt(now) switch
    {
        OfferStatus.Offered => MaxAmountMinor,
        OfferStatus.Chosen or OfferStatus.Fulfilled => Chosen?.AmountMinor ?? 0,
        _ => 0,
    };

    public static Result<RemedyOffer> Create(
        CaseId caseId, IReadOnlyList<(RemedyType Type, string? Description, long AmountMinor)> options, string currency,
        DateTimeOffset expiresAt, string? reason, Actor by, DateTimeOffset now)
    {
        if (options.Count is 0 or > MaxOptions)
        {
            return DomainError.Invalid("offer.options_count", "options", $"An offer has from 1 to {MaxOptions} options.");
        }

        if (!Money.IsCurrencyCode(currency))
        {
            return DomainError.Invalid("offer.currency_invalid", "currency", "Currency is a three-letter ISO 4217 code such as EUR.");
        }

        for (var i = 0; i < options.Count; i++)
        {
            var (type, description, amount) = options[i];
            if (amount < 0)
            {
                return DomainError.Invalid("offer.amount_negative", $"options[{i}].amountMinor", "An amount cannot be negative.");
            }

            if (type == RemedyType.ApologyOnly && amount != 0)
            {
                return DomainError.Invalid("offer.apology_has_value", $"options[{i}].amountMinor", "An apology on its own has no money value.");
            }

            if (description?.Length > OfferOption.MaxDescriptionLength)
            {
                return DomainError.Invalid("offer.description_too_long", $"options[{i}].description", $"A description is at most {OfferOption.MaxDescriptionLength} characters.");
            }
        }

        if (expiresAt <= now)
        {
            return DomainError.Invalid("offer.expiry_past", "expiresAt", "The offer must expire in the future.");
        }

        if (expiresAt > now.AddDays(90))
        {
            return DomainError.Invalid("offer.expiry_too_far", "expiresAt", "An offer can stay open for at most 90 days.");
        }

        if (reason?.Length > MaxTextLength)
        {
            return DomainError.Invalid("offer.reason_too_long", "reason", $"A reason is at most {MaxTextLength} characters.");
        }

        return Result<RemedyOffer>.Ok(new RemedyOffer
        {
            Id = Guid.CreateVersion7(),
            CaseId = caseId,
            _options = [.. options.Select(o => new OfferOption(Guid.CreateVersion7(), o.Type, string.IsNullOrWhiteSpace(o.Description) ? Describe(o.Type) : o.Description.Trim(), o.AmountMinor))],
            Currency = currency,
            Status = OfferStatus.AwaitingApproval,
            CreatedAt = now.UtcDateTime,
            CreatedBy = by.Id,
            CreatedByName = by.Name,
            ExpiresAt = expiresAt.UtcDateTime,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
            Version = 1,
        });
    }

    /// <summary>Puts the offer to the customer under <paramref name="authority"/>'s limits (an approver's, or the offerer's own).</summary>
    public DomainError? Grant(Actor authority, bool approval, string? reason, DateTimeOffset now)
    {
        if (StatusAt(now) != OfferStatus.AwaitingApproval)
        {
            return Illegal("be granted", now);
        }

        if (approval && authority.Id == CreatedBy)
        {
            return DomainError.Forbidden("approval.own_request", "Nobody approves their own request; another supervisor or an admin must.");
        }

        Status = OfferStatus.Offered;
        GrantedBy = authority.Id;
        GrantedAt = now.UtcDateTime;
        if (approval)
        {
            DecidedBy = authority.Id;
            DecidedByName = authority.Name;
            DecisionReason = Trim(reason);
        }

        Version++;
        return null;
    }

    /// <summary>Above the offerer's authority: it waits for <paramref name="approver"/>, with a decision due by <paramref name="due"/>.</summary>
    public void RequestApproval(Teams.Role approver, DateTimeOffset due)
    {
        RequiredApprover = approver;
        ApprovalDueAt = due.UtcDateTime;
        Version++;
    }

    public DomainError? Deny(Actor by, string? reason, DateTimeOffset now)
    {
        if (StatusAt(now) != OfferStatus.AwaitingApproval)
        {
            return Illegal("be denied", now);
        }

        if (by.Id == CreatedBy)
        {
            return DomainError.Forbidden("approval.own_request", "Nobody decides on their own request; withdraw it instead.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return DomainError.Invalid("approval.reason_required", "reason", "Say why, so the agent can offer something that will be approved.");
        }

        Status = OfferStatus.Denied;
        DecidedBy = by.Id;
        DecidedByName = by.Name;
        DecisionReason = Trim(reason);
        Close(reason, now);
        return null;
    }

    public DomainError? Choose(Guid optionId, DateTimeOffset now)
    {
        var status = StatusAt(now);
        if (status == OfferStatus.Expired)
        {
            return DomainError.Conflict("offer.expired", $"The offer expired at {ExpiresAt:yyyy-MM-dd HH:mm} UTC; make a new one.");
        }

        if (status != OfferStatus.Offered)
        {
            return Illegal("be chosen from", now);
        }

        if (_options.All(o => o.Id != optionId))
        {
            return DomainError.Invalid("offer.option_unknown", "optionId", "That option is not part of this offer.");
        }

        Status = OfferStatus.Chosen;
        ChosenOptionId = optionId;
        ChosenAt = now.UtcDateTime;
        Version++;
        return null;
    }

    public DomainError? Fulfil(string? reference, Actor by, DateTimeOffset now)
    {
        if (Status != OfferStatus.Chosen)
        {
            return Illegal("be fulfilled", now);
        }

        if (string.IsNullOrWhiteSpace(reference) && Chosen?.Type != RemedyType.ApologyOnly)
        {
            return DomainError.Invalid("offer.reference_required", "reference", "Give the reference of what was done (a refund id, an order number…).");
        }

        if (reference?.Length > 200)
        {
            return DomainError.Invalid("offer.reference_too_long", "reference", "A reference is at most 200 characters.");
        }

        Status = OfferStatus.Fulfilled;
        FulfilmentReference = reference?.Trim();
        FulfilledBy = by.Id;
        FulfilledByName = by.Name;
        FulfilledAt = now.UtcDateTime;
        Version++;
        return null;
    }

    public DomainError? Withdraw(string? reason, DateTimeOffset now)
    {
        if (StatusAt(now) is not (OfferStatus.Offered or OfferStatus.AwaitingApproval))
        {
            return Illegal("be withdrawn", now);
        }

        Status = OfferStatus.Withdrawn;
        Close(reason, now);
        return null;
    }

    public static string Describe(RemedyType type) => type switch
    {
        RemedyType.Refund => "Refund",
        RemedyType.Replacement => "Replacement",
        RemedyType.Repair => "Repair",
        RemedyType.Discount => "Discount or voucher",
        RemedyType.Gesture => "Goodwill gesture",
        _ => "Apology",
    };

    private void Close(string? reason, DateTimeOffset now)
    {
        ClosedAt = now.UtcDateTime;
        ClosedReason = Trim(reason);
        Version++;
    }

    private static string? Trim(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Trim()[..Math.Min(text.Trim().Length, MaxTextLength)];

    private DomainError Illegal(string action, DateTimeOffset now) =>
        DomainError.Conflict("offer.illegal_transition", $"An offer that is {StatusAt(now)} cannot {action} (only the next step of offer → choice → fulfilment is allowed).");
}
