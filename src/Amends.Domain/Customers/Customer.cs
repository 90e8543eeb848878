using System.Net.Mail;
using Amends.Domain.Common;

namespace Amends.Domain.Customers;

/// <summary>How much a customer is worth to the business; it raises the priority of their cases.</summary>
public enum ValueTier
{
    Standard,
    Silver,
    Gold,
    Platinum,
}

/// <summary>An address on one channel ("anna@example.com" on Email, "@anna" on Social).</summary>
public sealed record ContactPoint(Channel Channel, string Address);

/// <summary>
/// A person or business whose experience we put right. Has at most one contact point per channel; the preferred
/// channel, when set, is one they have a contact point on.
/// </summary>
public sealed class Customer
{
    public const int MaxNameLength = 200;

    private readonly List<ContactPoint> _contactPoints = [];

    private Customer()
    {
        Name = "";
    }

    public CustomerId Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>Lower-cased e-mail address, kept in its own column for search and de-duplication.</summary>
    public string? Email { get; private set; }

    public const int MaxExternalIdLength = 200;

    /// <summary>The business's own id for the customer (their CRM's or shop's), unique when set.</summary>
    public string? ExternalId { get; private set; }

    /// <summary>Records the business's own id for the customer. An id is kept once set; a different one is refused.</summary>
    public DomainError? SetExternalId(string? externalId)
    {
        var id = string.IsNullOrWhiteSpace(externalId) ? null : externalId.Trim();
        if (id is null || id == ExternalId)
        {
            return null;
        }

        if (id.Length > MaxExternalIdLength)
        {
            return DomainError.Invalid("customer.external_id_too_long", "customer.externalId", $"A customer's external id has at most {MaxExternalIdLength} characters.");
        }

        if (ExternalId is not null)
        {
            return DomainError.Conflict("customer.external_id_differs", $"This customer already has the external id {ExternalId}.");
        }

        ExternalId = id;
        return null;
    }

    /// <summary>Phone number as given, trimmed.</summary>
    public string? Phone { get; private set; }

    public Channel? PreferredChannel { get; private set; }

    public ValueTier Tier { get; private set; }

    /// <summary>Lifetime value in minor units of <see cref="LifetimeValueCurrency"/>.</summary>
    public long LifetimeValueMinor { get; private set; }

    public string LifetimeValueCurrency { get; private set; } = "EUR";

    public Money LifetimeValue => new(LifetimeValueMinor, LifetimeValueCurrency);

    /// <summary>Contact points on other channels than e-mail and phone (SMS, chat, social handles …).</summary>
    public IReadOnlyList<ContactPoint> ContactPoints => _contactPoints;

    public DateTime CreatedAt { get; private set; }

    /// <summary>The customer's time zone (an IANA id such as Europe/Berlin): quiet periods and times in messages follow it. Null: the team's.</summary>
    public string? TimeZone { get; private set; }

    /// <summary>The language messages are written in (a tag such as en or de); null: the playbook's default.</summary>
    public string? Language { get; private set; }

    /// <summary>When the customer asked for no more automatic updates (UTC); replies from a person still reach them.</summary>
    public DateTime? UpdatesOptedOutAt { get; private set; }

    public bool WantsAutomaticUpdates => UpdatesOptedOutAt is null;

    /// <summary>Sets the time zone and language; each must be known (a time zone this machine has, a language tag of 2 to 8 letters).</summary>
    public DomainError? SetLocale(string? timeZone, string? language)
    {
        var zone = string.IsNullOrWhiteSpace(timeZone) ? null : timeZone.Trim();
        if (zone is not null && (zone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)))
        {
            return DomainError.Invalid("customer.time_zone_invalid", "timeZone", "Give a time zone such as Europe/Berlin or America/New_York.");
        }

        var tag = string.IsNullOrWhiteSpace(language) ? null : language.Trim().ToLowerInvariant();
        if (tag is not null && (tag.Length > 8 || !LanguageTag.IsValid(tag)))
        {
            return DomainError.Invalid("customer.language_invalid", "language", "Give a language tag such as en, de or pt-br.");
        }

        TimeZone = zone;
        Language = tag;
        return null;
    }

    /// <summary>The customer asked for no more automatic updates. Asking twice keeps the first time.</summary>
    public void OptOutOfUpdates(DateTimeOffset now) => UpdatesOptedOutAt ??= now.UtcDateTime;

    public void OptInToUpdates() => UpdatesOptedOutAt = null;

    public const int MaxFailureLength = 500;

    /// <summary>Since when mail to <see cref="Email"/> bounces (UTC); null while it is thought to work.</summary>
    public DateTime? EmailFailingSince { get; private set; }

    /// <summary>What the last bounce said, as the receiving server put it.</summary>
    public string? EmailFailure { get; private set; }

    /// <summary>Mail to the customer's address bounced for good: the owner should reach them another way. The first time is kept.</summary>
    public void MarkEmailFailing(string reason, DateTimeOffset now)
    {
        EmailFailingSince ??= now.UtcDateTime;
        EmailFailure = reason.Length > MaxFailureLength ? reason[..(MaxFailureLength - 1)] + "…" : reason;
    }

    /// <summary>The address works again (the customer wrote from it after it bounced, or it was corrected).</summary>
    public void ClearEmailFailing()
    {
        EmailFailingSince = null;
        EmailFailure = null;
    }

    /// <summary>When the customer's personal data was erased at their request (UTC); null while it is kept.</summary>
    public DateTime? ErasedAt { get; private set; }

    public const string ErasedName = "Erased customer";

    /// <summary>
    /// Erases what identifies the person (name, e-mail, phone, every contact point, preferred channel) and keeps what
    /// the statistics need (tier, lifetime value, when they became a customer). Erasing twice is harmless.
    /// </summary>
    public void Erase(DateTimeOffset now)
    {
        Name = ErasedName;
        ExternalId = null;
        Email = null;
        EmailFailure = null;
        Phone = null;
        PreferredChannel = null;
        _contactPoints.Clear();
        ErasedAt ??= now.UtcDateTime;
    }

    /// <summary>
    /// The customer this record was merged into, found to be the same person: the record stays, holding the contact points
    /// the survivor already had others of, so whatever identified the duplicate still leads to the survivor.
    /// </summary>
    public CustomerId? MergedIntoId { get; private set; }

    public DateTime? MergedAt { get; private set; }

    /// <summary>
    /// The first half of a merge, on the duplicate: what the survivor lacks (e-mail, phone, external id, contact points on
    /// channels it has none on) leaves this record for it, and this record is marked merged. Save this before
    /// <see cref="Absorb"/>: a contact point is unique, so it must leave one record before it joins the other.
    /// </summary>
    public Result<CustomerMerge> MergeInto(Customer survivor, DateTimeOffset now)
    {
        if (survivor.Id == Id)
        {
            return Result<CustomerMerge>.Fail(DomainError.Invalid("customer.merge_self", "duplicateId", "A customer cannot be merged with themselves."));
        }

        foreach (var (record, role) in new[] { (this, "duplicate"), (survivor, "customer kept") })
        {
            if (record.ErasedAt is not null)
            {
                return Result<CustomerMerge>.Fail(DomainError.Conflict("customer.erased", $"The {role} has been erased: there is nothing to merge."));
            }

            if (record.MergedIntoId is not null)
            {
                return Result<CustomerMerge>.Fail(DomainError.Conflict("customer.already_merged", $"The {role} was merged into another customer already."));
            }
        }

        var email = survivor.Email is null ? Email : null;
        var phone = survivor.Phone is null ? Phone : null;
        var externalId = survivor.ExternalId is null ? ExternalId : null;
        var points = _contactPoints.Where(p => survivor.AllContactPoints().All(s => s.Channel != p.Channel)).ToList();
        if (email is not null)
        {
            Email = null;
            EmailFailingSince = null;
            EmailFailure = null;
        }

        Phone = phone is null ? Phone : null;
        ExternalId = externalId is null ? ExternalId : null;
        _contactPoints.RemoveAll(points.Contains);
        MergedIntoId = survivor.Id;
        MergedAt = now.UtcDateTime;
        return Result<CustomerMerge>.Ok(new CustomerMerge(
            Id, Name, email, phone, externalId, points, Tier, new Money(LifetimeValueMinor, LifetimeValueCurrency), PreferredChannel, TimeZone, Language));
    }

    /// <summary>
    /// The second half, on the survivor: it takes what left the duplicate, the higher tier, the duplicate's lifetime value
    /// added to its own (when in the same currency), and the preferred channel, time zone and language it had none of.
    /// </summary>
    public void Absorb(CustomerMerge merge)
    {
        Email ??= merge.Email;
        Phone ??= merge.Phone;
        ExternalId ??= merge.ExternalId;
        _contactPoints.AddRange(merge.ContactPoints.Where(p => AllContactPoints().All(s => s.Channel != p.Channel)));
        Tier = (ValueTier)Math.Max((int)Tier, (int)merge.Tier);
        if (merge.LifetimeValue.Currency == LifetimeValueCurrency)
        {
            LifetimeValueMinor = checked(LifetimeValueMinor + merge.LifetimeValue.Minor);
        }

        if (PreferredChannel is null && merge.PreferredChannel is { } channel && AllContactPoints().Any(p => p.Channel == channel))
        {
            PreferredChannel = channel;
        }

        TimeZone ??= merge.TimeZone;
        Language ??= merge.Language;
    }

    /// <summary>Every contact point, e-mail and phone included.</summary>
    public IEnumerable<ContactPoint> AllContactPoints()
    {
        if (Email is not null)
        {
            yield return new ContactPoint(Channel.Email, Email);
        }

        if (Phone is not null)
        {
            yield return new ContactPoint(Channel.Phone, Phone);
        }

        foreach (var point in _contactPoints)
        {
            yield return point;
        }
    }

    /// <summary>What is wrong with a phone number, if anything: up to 32 characters, at least 5 digits, and only + - ( ) . and spaces besides.</summary>
    public static DomainError? CheckPhone(string? phone) =>
        phone is not null && (phone.Length > 32 || phone.Count(char.IsAsciiDigit) < 5
            || phone.Any(c => !(char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')))
            ? DomainError.Invalid("customer.phone_invalid", "phone", "A phone number has digits, spaces and + - ( ) only.")
            : null;

    public static Result<Customer> Register(
        string? name,
        string? email,
        string? phone,
        DateTimeOffset now,
        ValueTier tier = ValueTier.Standard,
        Money? lifetimeValue = null,
        Channel? preferredChannel = null,
        IEnumerable<ContactPoint>? otherContactPoints = null)
    {
        var trimmedName = name?.Trim();
        if (string.IsNullOrEmpty(trimmedName))
        {
            return DomainError.Invalid("customer.name_required", "name", "A customer needs a name.");
        }

        if (trimmedName.Length > MaxNameLength)
        {
            return DomainError.Invalid("customer.name_too_long", "name", $"A name has at most {MaxNameLength} characters.");
        }

        var normalizedEmail = NormalizeEmail(email);
        if (email is not null && !string.IsNullOrWhiteSpace(email) && normalizedEmail is null)
        {
            return DomainError.Invalid("customer.email_invalid", "email", "This is not a valid e-mail address.");
        }

        var normalizedPhone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        if (CheckPhone(normalizedPhone) is { } phoneError)
        {
            return phoneError;
        }

        var customer = new Customer
        {
            Id = CustomerId.New(),
            Name = trimmedName,
            Email = normalizedEmail,
            Phone = normalizedPhone,
            Tier = tier,
            CreatedAt = now.UtcDateTime,
        };
        if (lifetimeValue is { } value)
        {
            customer.LifetimeValueMinor = value.Minor;
            customer.LifetimeValueCurrency = value.Currency;
        }

        foreach (var point in otherContactPoints ?? [])
        {
            if (point.Channel is Channel.Email or Channel.Phone || string.IsNullOrWhiteSpace(point.Address))
            {
                continue;
            }

            customer._contactPoints.RemoveAll(p => p.Channel == point.Channel);
            customer._contactPoints.Add(point with { Address = point.Address.Trim() });
        }

        if (preferredChannel is { } preferred)
        {
            var error = customer.SetPreferredChannel(preferred);
            if (error is not null)
            {
                return error;
            }
        }
        else
        {
            customer.PreferredChannel = customer.AllContactPoints().Select(p => (Channel?)p.Channel).FirstOrDefault();
        }

        return Result<Customer>.Ok(customer);
    }

    public DomainError? SetPreferredChannel(Channel channel)
    {
        if (AllContactPoints().All(p => p.Channel != channel))
        {
            return DomainError.Invalid(
                "customer.preferred_channel_unreachable",
                "preferredChannel",
                $"The customer has no {channel} contact to prefer.");
        }

        PreferredChannel = channel;
        return null;
    }

    /// <summary>Lower-cases and checks an e-mail address; null when it is empty or not an address.</summary>
    public static string? NormalizeEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var trimmed = email.Trim();
        if (trimmed.Length > 254 || !MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed
            || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        return trimmed.ToLowerInvariant();
    }
}

/// <summary>What a duplicate customer gave the survivor in a merge.</summary>
public sealed record CustomerMerge(
    CustomerId DuplicateId,
    string DuplicateName,
    string? Email,
    string? Phone,
    string? ExternalId,
    IReadOnlyList<ContactPoint> ContactPoints,
    ValueTier Tier,
    Money LifetimeValue,
    Channel? PreferredChannel,
    string? TimeZone,
    string? Language);
