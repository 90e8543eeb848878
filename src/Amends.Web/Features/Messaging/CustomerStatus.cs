using System.Globalization;
using System.Security.Cryptography;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Remedies;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Messaging;

/// <summary>A customer's link to their case's status page.</summary>
public sealed record StatusLink(string Url, DateTime ExpiresAt);

/// <summary>
/// Signed, expiring links to a case's status page: no account, the token names the case and is signed with the
/// data-protection keys every instance shares. A changed or expired token names nothing.
/// </summary>
public sealed class StatusLinks(IDataProtectionProvider protection, PublicUrls urls, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(60);

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("Amends.Status.v1").ToTimeLimitedDataProtector();

    public StatusLink For(CaseId caseId)
    {
        var expires = time.GetUtcNow().Add(Lifetime);
        return new StatusLink($"{urls.BaseUrl.TrimEnd('/')}/status/{Protector.Protect(caseId.Value.ToString("N"), expires)}", expires.UtcDateTime);
    }

    public Guid? CaseOf(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2000)
        {
            return null;
        }

        try
        {
            return Guid.TryParseExact(Protector.Unprotect(token, out _), "N", out var id) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>One line of what happened, as the customer reads it.</summary>
public sealed record StatusEvent(DateTime At, string Who, string Text, bool FromCustomer);

/// <summary>A remedy the customer may choose.</summary>
public sealed record StatusOffer(Guid OfferId, DateTime ExpiresAt, IReadOnlyList<StatusOption> Options);

public sealed record StatusOption(Guid OptionId, string Description, string Value);

/// <summary>Everything the status page shows: never a note, an internal name or another customer's data.</summary>
public sealed record StatusView(
    Guid CaseId,
    string Number,
    string CustomerFirstName,
    string? OwnerFirstName,
    string Stage,
    string NextStep,
    string? EtaText,
    string? TimeZone,
    IReadOnlyList<StatusEvent> Events,
    IReadOnlyList<StatusOffer> Offers,
    string? FollowUpLink,
    bool AutomaticUpdates);

/// <summary>Builds the customer's view of their case and takes what they do there (reply, choose a remedy).</summary>
public sealed class CustomerStatus(
    AmendsDbContext db, CaseMutation mutation, Remedies.Remedies remedies, FollowUp.Feedback feedback, Sla.SlaClocks clocks, TimeProvider time)
{
    public async Task<StatusView?> ViewAsync(Guid caseId, CancellationToken ct)
    {
        var id = new CaseId(caseId);
        var c = await db.Cases.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (c is null)
        {
            return null;
        }

        var customer = await db.Customers.AsNoTracking().SingleAsync(x => x.Id == c.CustomerId, ct);
        var owner = c.OwnerId is { } o ? await db.Users.Where(u => u.Id == o.Value).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null;
        var ownerFirst = owner is null ? null : Replies.FirstName(owner);
        var entries = await db.TimelineEntries.AsNoTracking().Where(e => e.CaseId == id)
            .OrderByDescending(e => e.Sequence).ThenByDescending(e => e.At).Take(300).ToListAsync(ct);
        var now = time.GetUtcNow();
        var offers = await db.Offers.AsNoTracking().Where(x => x.CaseId == id).ToListAsync(ct);
        var promises = await db.Promises.AsNoTracking().Where(p => p.CaseId == id && p.Status == PromiseStatus.Open).OrderBy(p => p.DueAt).ToListAsync(ct);
        var zone = (await clocks.CalendarForAsync(c.TeamId, ct)).Zone;

        // An automatic update shows the text it went with: changes that joined it while it waited are in it.
        var automaticIds = entries.Where(e => e.Kind == TimelineEntryKind.MessageOut && e.MessageId is not null).Select(e => e.MessageId!.Value).ToList();
        var finalTexts = automaticIds.Count == 0 ? [] : await db.Outbox.AsNoTracking().Where(m => automaticIds.Contains(m.Id) && m.Automatic)
            .Select(m => new { m.Id, m.TextBody }).ToDictionaryAsync(m => m.Id, m => UpdateText(m.TextBody), ct);

        var events = new List<StatusEvent>();
        foreach (var e in entries)
        {
            if (Describe(e, ownerFirst ?? "We", customer.Name) is { } described
                && (e.MessageId is { } messageId && finalTexts.TryGetValue(messageId, out var final) ? described with { Text = final } : described) is { } line)
            {
                events.Add(line);
            }
        }

        foreach (var offer in offers)
        {
            if (offer.Chosen is { } chosen && offer.ChosenAt is { } at)
            {
                events.Add(new StatusEvent(at, "You", $"You chose: {chosen.Description}", true));
            }

            if (offer.FulfilledAt is { } done && offer.Chosen is { } fulfilled)
            {
                events.Add(new StatusEvent(done, ownerFirst ?? "We", $"Done: {fulfilled.Description}", false));
            }
        }

        var open = offers.Where(x => x.StatusAt(now) == OfferStatus.Offered)
            .Select(x => new StatusOffer(x.Id, x.ExpiresAt, [.. x.Options.Select(op => new StatusOption(op.Id, op.Description, new Money(op.AmountMinor, x.Currency).ToString()))]))
            .ToList();
        var eta = promises.FirstOrDefault();
        var waitingForAnswer = c.Status == CaseStatus.Resolved && c.FollowUpScore is null;
        return new StatusView(
            c.Id.Value,
            c.Reference,
            Replies.FirstName(customer.Name),
            ownerFirst,
            Stage(c.Status),
            NextStep(c, open.Count > 0, waitingForAnswer, ownerFirst),
            eta is null ? null : $"{eta.Text}, by {TimeZoneInfo.ConvertTimeFromUtc(eta.DueAt, zone).ToString("dddd d MMMM, HH:mm", CultureInfo.InvariantCulture)}",
            zone.Id,
            [.. events.OrderByDescending(x => x.At)],
            open,
            waitingForAnswer ? feedback.LinkFor(c.Id.Value) : null,
            customer.WantsAutomaticUpdates);
    }

    /// <summary>The customer writes to us from the status page: on the timeline, in the owner's inbox; a wait on them is over.</summary>
    public async Task<Result<CaseDetail>> ReplyAsync(Guid caseId, string? text, CancellationToken ct) =>
        await mutation.ApplyAsync(caseId, null, CaseAccess.Customer, (c, now) =>
        {
            var error = c.RecordMessage(true, Channel.Web, text, null, now);
            return error ?? c.Status switch
            {
                CaseStatus.WaitingOnCustomer => c.Resume(null, now),
                CaseStatus.Closed when c.Outcome != CaseOutcome.Duplicate => c.Reopen(null, now, "The customer wrote again on their status page"),
                _ => null,
            };
        }, ct);

    /// <summary>
    /// The customer wants no more automatic updates: recorded as their consent on the case, and the automatic messages
    /// still waiting for them are cancelled. Messages a person writes still go.
    /// </summary>
    public async Task<Result<CaseDetail>> OptOutAsync(Guid caseId, string how, CancellationToken ct) =>
        await mutation.ApplyAsync(caseId, null, CaseAccess.Customer, async (c, now) =>
        {
            var customer = await db.Customers.SingleAsync(x => x.Id == c.CustomerId, ct);
            if (!customer.WantsAutomaticUpdates)
            {
                return null;
            }

            customer.OptOutOfUpdates(now);
            var at = now.UtcDateTime;
            foreach (var waiting in await db.Outbox.Where(m => m.CustomerId == customer.Id && m.Automatic && m.State == Domain.Messaging.OutboxState.Queued
                && (m.LeaseUntil == null || m.LeaseUntil < at)).ToListAsync(ct))
            {
                waiting.Cancel(now);
            }

            return c.RecordConsent("The customer opted out of automatic updates", how, null, now);
        }, ct);

    public Task<Result<Remedies.OfferDto>> ChooseAsync(Guid caseId, Guid offerId, Guid optionId, CancellationToken ct) =>
        remedies.ChooseAsCustomerAsync(caseId, offerId, optionId, ct);

    /// <summary>An automatic update's words, without the signature and links under them.</summary>
    public static string UpdateText(string text)
    {
        var signature = text.IndexOf("\n\n-- \n", StringComparison.Ordinal);
        return signature < 0 ? text : text[..signature];
    }

    private static StatusEvent? Describe(TimelineEntry e, string owner, string customerName) => e.Kind switch
    {
        TimelineEntryKind.Created => new(e.At, "We", "We received your request", false),
        TimelineEntryKind.StatusChanged => e.ToStatus switch
        {
            CaseStatus.Acknowledged => new(e.At, owner, $"{owner} is looking after your case", false),
            CaseStatus.Resolving when e.FromStatus is CaseStatus.Resolved or CaseStatus.Closed => new(e.At, owner, "We are looking at it again", false),
            CaseStatus.Resolving when e.FromStatus == CaseStatus.Acknowledged => new(e.At, owner, "We are working on it", false),
            CaseStatus.WaitingOnCustomer => new(e.At, owner, "We are waiting to hear from you", false),
            CaseStatus.Resolved => new(e.At, owner, "We have put it right", false),
            CaseStatus.Closed => new(e.At, "We", "Your case is closed", false),
            _ => null,
        },
        TimelineEntryKind.MessageOut => new(e.At, e.ActorName is { } name ? Replies.FirstName(name) : "We", e.Body ?? "", false),
        TimelineEntryKind.MessageIn => new(e.At, "You", e.Body ?? "", true),
        TimelineEntryKind.Call => new(e.At, e.ActorName is { } caller ? Replies.FirstName(caller) : owner, "We spoke on the phone", false),
        TimelineEntryKind.PromiseMade => new(e.At, owner, e.Body ?? "", false),
        TimelineEntryKind.PromiseKept => new(e.At, owner, e.Body ?? "", false),
        _ => null,
    };

    private static string Stage(CaseStatus status) => status switch
    {
        CaseStatus.New => "Received",
        CaseStatus.Acknowledged or CaseStatus.Resolving => "Being put right",
        CaseStatus.WaitingOnCustomer => "Waiting for you",
        CaseStatus.Resolved => "Put right",
        _ => "Closed",
    };

    private static string NextStep(RecoveryCase c, bool offers, bool waitingForAnswer, string? owner) => c.Status switch
    {
        _ when offers => "Choose the remedy that suits you best below.",
        CaseStatus.New => "Someone from our team will pick your case up shortly.",
        CaseStatus.WaitingOnCustomer => $"{owner ?? "We"} needs a word from you: reply below.",
        CaseStatus.Resolved when waitingForAnswer => "Tell us how we did: it takes ten seconds.",
        CaseStatus.Resolved => "Thank you for your answer.",
        CaseStatus.Closed => "Nothing more to do. If something is still wrong, reply below and we will look again.",
        _ => $"{owner ?? "We"} will keep you posted here and by message.",
    };
}
