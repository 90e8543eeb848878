using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Signals;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Signals;

/// <summary>
/// Finds the customers of a batch of signals in three reads (by external id, e-mail and phone) and creates the ones
/// nobody knows, once each however many of their signals the batch holds. A customer found by e-mail or phone learns the
/// external id the signal gives, when they have none yet.
/// </summary>
internal sealed class CustomerMatcher
{
    private readonly AmendsDbContext _db;
    private readonly Dictionary<string, Customer> _byExternalId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Customer> _byEmail = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Customer> _byPhone = new(StringComparer.Ordinal);

    private readonly Dictionary<CustomerId, Customer> _byId = [];

    private CustomerMatcher(AmendsDbContext db) => _db = db;

    /// <summary>What is wrong with how a signal names its customer, if anything.</summary>
    public static IEnumerable<DomainError> Check(SignalCustomer? customer)
    {
        if (customer?.Known is not null)
        {
            yield break;
        }

        if (customer is null || (Blank(customer.ExternalId) && Blank(customer.Email) && Blank(customer.Phone)))
        {
            yield return DomainError.Invalid("signal.customer_required", "customer", "Say who it is about: customer.externalId, customer.email or customer.phone.");
            yield break;
        }

        if (!Blank(customer.Email) && Customer.NormalizeEmail(customer.Email) is null)
        {
            yield return DomainError.Invalid("customer.email_invalid", "customer.email", "This is not a valid e-mail address.");
        }

        if (customer.ExternalId?.Trim() is { Length: > Customer.MaxExternalIdLength })
        {
            yield return DomainError.Invalid("customer.external_id_too_long", "customer.externalId", $"A customer's external id has at most {Customer.MaxExternalIdLength} characters.");
        }

        if (customer.Name?.Trim() is { Length: > Customer.MaxNameLength })
        {
            yield return DomainError.Invalid("customer.name_too_long", "customer.name", $"A name has at most {Customer.MaxNameLength} characters.");
        }

        if (!Blank(customer.Phone) && Customer.CheckPhone(customer.Phone!.Trim()) is { } phone)
        {
            yield return phone with { Field = "customer.phone" };
        }
    }

    public static async Task<CustomerMatcher> LoadAsync(AmendsDbContext db, IReadOnlyList<SignalCustomer> wanted, CancellationToken ct)
    {
        var matcher = new CustomerMatcher(db);
        var externalIds = wanted.Select(w => w.ExternalId?.Trim()).OfType<string>().Where(x => x.Length > 0).Distinct().ToList();
        var emails = wanted.Select(w => Customer.NormalizeEmail(w.Email)).OfType<string>().Distinct().ToList();
        var phones = wanted.Select(w => w.Phone?.Trim()).OfType<string>().Where(x => x.Length > 0).Distinct().ToList();
        var found = new List<Customer>();
        var known = wanted.Select(w => w.Known).OfType<CustomerId>().Distinct().ToList();
        if (known.Count > 0)
        {
            foreach (var customer in await db.Customers.Where(c => known.Contains(c.Id)).ToListAsync(ct))
            {
                matcher._byId[customer.Id] = customer;
            }
        }

        if (externalIds.Count > 0)
        {
            found.AddRange(await db.Customers.Where(c => c.ExternalId != null && externalIds.Contains(c.ExternalId)).ToListAsync(ct));
        }

        if (emails.Count > 0)
        {
            found.AddRange(await db.Customers.Where(c => c.Email != null && emails.Contains(c.Email)).ToListAsync(ct));
        }

        if (phones.Count > 0)
        {
            // Oldest first, so the first customer with a phone number is the one it finds, as inbound messages do.
            found.AddRange(await db.Customers.Where(c => c.Phone != null && phones.Contains(c.Phone)).OrderBy(c => c.CreatedAt).ToListAsync(ct));
        }

        // A record merged into another (the same person) leads to the one kept, by whatever identified it.
        var survivorIds = found.Select(c => c.MergedIntoId).OfType<CustomerId>().Distinct().ToList();
        var survivors = survivorIds.Count == 0 ? [] : await db.Customers.Where(c => survivorIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        foreach (var customer in found.OrderBy(c => c.MergedIntoId is null ? 1 : 0))
        {
            matcher.Remember(customer, customer.MergedIntoId is { } kept ? survivors.GetValueOrDefault(kept) : null);
        }

        return matcher;
    }

    /// <summary>The customer a signal is about; a new one (added to the context) when none matches.</summary>
    public Customer Resolve(SignalCustomer wanted, DateTimeOffset now)
    {
        if (wanted.Known is { } id)
        {
            return _byId[id];
        }

        var externalId = Blank(wanted.ExternalId) ? null : wanted.ExternalId!.Trim();
        var email = Customer.NormalizeEmail(wanted.Email);
        var phone = Blank(wanted.Phone) ? null : wanted.Phone!.Trim();
        var customer = (externalId is not null ? _byExternalId.GetValueOrDefault(externalId) : null)
            ?? (email is not null ? _byEmail.GetValueOrDefault(email) : null)
            ?? (phone is not null ? _byPhone.GetValueOrDefault(phone) : null);
        if (customer is null)
        {
            var name = Blank(wanted.Name) ? email ?? phone ?? "Customer " + externalId : wanted.Name!.Trim();
            customer = Customer.Register(name, email, phone, now).Value;
            customer.SetExternalId(externalId);
            _db.Customers.Add(customer);
        }
        else if (externalId is not null && customer.ExternalId is null && !_byExternalId.ContainsKey(externalId))
        {
            customer.SetExternalId(externalId);
        }

        Remember(customer);
        return customer;
    }

    /// <summary>Remembers what identifies <paramref name="customer"/> as leading to it, or to <paramref name="survivor"/> when it was merged into one.</summary>
    private void Remember(Customer customer, Customer? survivor = null)
    {
        var target = survivor ?? customer;
        if (customer.ExternalId is { } externalId)
        {
            _byExternalId[externalId] = target;
        }

        if (customer.Email is { } email)
        {
            _byEmail[email] = target;
        }

        if (customer.Phone is { } phone)
        {
            _byPhone.TryAdd(phone, target);
        }
    }

    private static bool Blank(string? value) => string.IsNullOrWhiteSpace(value);
}

/// <summary>What the risk of a batch's signals needs to know of their customers' past, in three reads.</summary>
internal sealed class History
{
    private readonly Dictionary<CustomerId, List<(DateTime At, string? OrderReference)>> _contacts = [];

    public HashSet<CustomerId> OpenCase { get; } = [];

    /// <summary>Customers with a case opened within the repeat-failure window (90 days).</summary>
    public HashSet<CustomerId> RecentCase { get; } = [];

    public static async Task<History> LoadAsync(AmendsDbContext db, List<CustomerId> customers, DateTime earliestContact, DateTimeOffset now, CancellationToken ct)
    {
        var history = new History();
        if (customers.Count == 0)
        {
            return history;
        }

        var open = true;
        history.OpenCase.UnionWith(await db.Cases.Where(c => customers.Contains(c.CustomerId) && c.IsOpen == open).Select(c => c.CustomerId).Distinct().ToListAsync(ct));
        var since = now.UtcDateTime - Cases.OpenCase.RepeatWindow;
        history.RecentCase.UnionWith(await db.Cases.Where(c => customers.Contains(c.CustomerId) && c.CreatedAt >= since).Select(c => c.CustomerId).Distinct().ToListAsync(ct));
        var from = earliestContact - CueRules.RepeatWindow - CueRules.BaselineWindow;
        var contacts = await db.Signals.Where(s => customers.Contains(s.CustomerId) && s.OccurredAt >= from
                && (s.Kind == SignalKind.Message || s.Event == BehaviourEvent.Contact))
            .Select(s => new { s.CustomerId, s.OccurredAt, s.OrderReference }).ToListAsync(ct);
        foreach (var c in contacts)
        {
            history.Add(c.CustomerId, c.OccurredAt, c.OrderReference);
        }

        return history;
    }

    /// <summary>
    /// The customer's contacts in the 7 days up to this one, this one included (later ones of the batch count for them),
    /// about the same order when it names one; and all their contacts in the 91 days before those, their usual rate.
    /// </summary>
    public (int Recent, int Prior) Contact(Signal signal)
    {
        Add(signal.CustomerId, signal.OccurredAt, signal.OrderReference);
        var from = signal.OccurredAt - CueRules.RepeatWindow;
        var before = from - CueRules.BaselineWindow;
        var all = _contacts[signal.CustomerId];
        return (all.Count(c => c.At > from && c.At <= signal.OccurredAt && (signal.OrderReference is null || c.OrderReference == signal.OrderReference)),
            all.Count(c => c.At > before && c.At <= from));
    }

    private void Add(CustomerId customer, DateTime at, string? orderReference)
    {
        if (!_contacts.TryGetValue(customer, out var list))
        {
            _contacts[customer] = list = [];
        }

        list.Add((at, orderReference));
    }
}
