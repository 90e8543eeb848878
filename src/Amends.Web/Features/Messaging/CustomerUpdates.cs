using System.Globalization;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Messaging;
using Amends.Domain.Playbooks;
using Amends.Domain.Remedies;
using Amends.Domain.Teams;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Messaging;

/// <summary>The <c>Amends:Updates</c> section: automatic updates to customers.</summary>
public sealed class UpdateOptions
{
    /// <summary>Changes within this many seconds of the first go out as one message with the latest state (0: each at once).</summary>
    public double CoalesceSeconds { get; set; } = 120;

    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Keeps the customer informed without being asked. Whatever saves a customer-visible change (acknowledged, a date
/// promised, a remedy offered, chosen or fulfilled, resolved, the satisfaction check) gets an update queued in the
/// same transaction, from the playbook's message where it needs no filling in. A burst of changes within the coalescing
/// window becomes one message; automatic messages wait out the team's quiet period in the customer's time zone (urgent
/// cases excepted); a customer who opted out gets none. The message reaches the timeline when it is sent, which also
/// stops the next-update clock.
/// </summary>
public sealed class CustomerUpdates(
    ChannelRouter router, StatusLinks statusLinks, IDataProtectionProvider protection, PublicUrls urls,
    IOptionsMonitor<OrganisationOptions> organisation, IOptionsMonitor<UpdateOptions> options, TimeProvider time, ILogger<CustomerUpdates> logger)
    : SaveChangesInterceptor
{
    /// <summary>How recent what a customer wrote must be for the case it opened to thank them at once.</summary>
    public static readonly TimeSpan AcknowledgeWithin = TimeSpan.FromDays(2);

    private enum Change
    {
        /// <summary>Detection opened a case from what the customer wrote to us: they hear at once that we have it.</summary>
        Received,
        Acknowledged,
        Promised,
        Offered,
        Chosen,
        Fulfilled,
        Resolved,
        FollowUp,
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is AmendsDbContext { RecordingHistory: false } db && options.CurrentValue.Enabled)
        {
            await QueueAsync(db, cancellationToken);
        }

        return result;
    }

    private async Task QueueAsync(AmendsDbContext db, CancellationToken ct)
    {
        var changes = new List<(CaseId Case, Change Kind, string? Detail, DateTime? Due)>();
        foreach (var entry in db.ChangeTracker.Entries<TimelineEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
        {
            Change? kind = entry.Kind switch
            {
                TimelineEntryKind.StatusChanged when entry.ToStatus == CaseStatus.Acknowledged => Change.Acknowledged,
                TimelineEntryKind.StatusChanged when entry.ToStatus == CaseStatus.Resolved => Change.Resolved,
                TimelineEntryKind.FollowUpSent => Change.FollowUp,
                _ => null,
            };
            if (kind is { } k)
            {
                changes.Add((entry.CaseId, k, null, null));
            }
        }

        // A case opened by detection from a message or a survey comment of the last two days: the customer wrote to us and
        // waits for an answer. (A public review is answered in public, a behaviour event was never addressed to us, and a
        // comment imported from weeks ago is better answered by a person than thanked for now: none of them gets this.)
        var recent = time.GetUtcNow().UtcDateTime - AcknowledgeWithin;
        foreach (var entry in db.ChangeTracker.Entries<Domain.Signals.Signal>().Where(e => e.State == EntityState.Modified))
        {
            var signal = entry.Entity;
            if (signal is { Action: Domain.Signals.SignalAction.Opened, CaseId: { } opened, Text: not null, Kind: Domain.Signals.SignalKind.Message or Domain.Signals.SignalKind.Survey }
                && signal.OccurredAt >= recent
                && entry.Property(x => x.Action).OriginalValue != Domain.Signals.SignalAction.Opened)
            {
                changes.Add((opened, Change.Received, null, null));
            }
        }

        foreach (var promise in db.ChangeTracker.Entries<Promise>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
        {
            changes.Add((promise.CaseId, Change.Promised, promise.Text, promise.DueAt));
        }

        foreach (var entry in db.ChangeTracker.Entries<RemedyOffer>().Where(e => e.State is EntityState.Added or EntityState.Modified))
        {
            var offer = entry.Entity;
            var before = entry.State == EntityState.Added ? (OfferStatus?)null : entry.Property(o => o.Status).OriginalValue;
            if (offer.Status == before)
            {
                continue;
            }

            switch (offer.Status)
            {
                case OfferStatus.Offered:
                    changes.Add((offer.CaseId, Change.Offered, string.Join(" or ", offer.Options.Select(o => $"{o.Description} ({new Money(o.AmountMinor, offer.Currency)})")), null));
                    break;
                case OfferStatus.Chosen when offer.Chosen is { } chosen:
                    changes.Add((offer.CaseId, Change.Chosen, chosen.Description, null));
                    break;
                case OfferStatus.Fulfilled when offer.Chosen is { } done:
                    changes.Add((offer.CaseId, Change.Fulfilled, done.Description + (offer.FulfilmentReference is { } r ? $" (reference {r})" : ""), null));
                    break;
            }
        }

        foreach (var group in changes.GroupBy(c => c.Case))
        {
            var c = db.ChangeTracker.Entries<RecoveryCase>().Select(e => e.Entity).FirstOrDefault(x => x.Id == group.Key)
                ?? await db.Cases.SingleOrDefaultAsync(x => x.Id == group.Key, ct);
            if (c is not null)
            {
                await QueueForCaseAsync(db, c, [.. group.Select(g => (g.Kind, g.Detail, g.Due))], ct);
            }
        }
    }

    private async Task QueueForCaseAsync(AmendsDbContext db, RecoveryCase c, List<(Change Kind, string? Detail, DateTime? Due)> changes, CancellationToken ct)
    {
        var customer = await db.Customers.FindAsync([c.CustomerId], ct);
        if (customer is null || customer.ErasedAt is not null || !customer.WantsAutomaticUpdates)
        {
            return;
        }

        var channel = new[] { c.Channel, customer.PreferredChannel ?? c.Channel, Channel.Email }.FirstOrDefault(ch => Routes.CanWrite(ch) && router.Route(customer, ch).IsSuccess);
        var destination = router.Route(customer, channel);
        if (!destination.IsSuccess)
        {
            logger.LogInformation("No automatic update for case {Case}: the customer cannot be reached in writing", c.Reference);
            return;
        }

        var team = c.TeamId is { } t ? await db.Teams.FindAsync([t], ct) : null;
        var teamZone = team?.Calendar().Zone ?? TimeZoneInfo.Utc;
        var zone = customer.TimeZone is { } z && TimeZoneInfo.TryFindSystemTimeZoneById(z, out var customerZone) ? customerZone : teamZone;
        var playbook = c.PlaybookId is { } p ? await db.Playbooks.AsNoTracking().SingleOrDefaultAsync(x => x.Id == p, ct) : null;
        var values = await Cases.CaseTemplates.ValuesAsync(db, c, customer, zone, ct);
        var now = time.GetUtcNow();
        var org = organisation.CurrentValue;
        var owner = values["owner.name"] is { } ownerName ? Replies.FirstName(ownerName) : null;
        var signer = owner ?? $"The {org.Name} team";

        // The quiet period holds automatic messages back until the morning, in the customer's time zone.
        var quiet = c.Priority == Priority.Urgent || team is null ? TimeSpan.Zero : team.QuietDelay(TimeZoneInfo.ConvertTimeFromUtc(now.UtcDateTime, zone));

        foreach (var change in changes.Where(x => x.Kind == Change.FollowUp))
        {
            var ask = Template(playbook, TemplateKind.FollowUp, values, customer.Language) ?? $"Hi {values["customer.firstName"] ?? "there"}, did we put things right for you?";
            var link = FollowUp.Feedback.LinkFor(protection, urls, time, c.Id.Value);
            var body = $"{ask}\n\nYour answer takes one tap: {link}";
            Add(db, c, await Outbox.ComposeAsync(db, router, org, statusLinks, c, customer, channel, destination.Value, body, MessageKind.FollowUp, signer, null, now,
                Guid.CreateVersion7(now), null, automatic: true, now + quiet, ct), body, now);
        }

        // A reply or a call saved with the change says it in a person's words: no automatic "we have your case" beside it.
        var replied = db.Outbox.Local.Any(m => m.CaseId == c.Id && m.Kind == MessageKind.Reply)
            || db.ChangeTracker.Entries<TimelineEntry>().Any(e => e.State == EntityState.Added && e.Entity.CaseId == c.Id && e.Entity.Kind == TimelineEntryKind.Call);
        var lines = changes.Where(x => x.Kind != Change.FollowUp && !(replied && x.Kind is Change.Acknowledged or Change.Received))
            .Select(x => x.Kind == Change.Received ? Received(c, owner, zone) : Line(x.Kind, x.Detail, x.Due, playbook, values, owner, zone, customer.Language)).ToList();
        if (lines.Count == 0)
        {
            return;
        }

        // Coalescing: an update still waiting for its window takes the new lines, so the customer gets one message.
        var window = TimeSpan.FromSeconds(Math.Max(0, options.CurrentValue.CoalesceSeconds));
        var at = now.UtcDateTime;
        var waiting = db.Outbox.Local.FirstOrDefault(m => m.CaseId == c.Id && m.Kind == MessageKind.Update && m.State == OutboxState.Queued)
            ?? (window > TimeSpan.Zero
                ? await db.Outbox.Where(m => m.CaseId == c.Id && m.Kind == MessageKind.Update && m.State == OutboxState.Queued && m.LeaseOwner == null && m.NextAttemptAt > at)
                    .OrderByDescending(m => m.CreatedAt).FirstOrDefaultAsync(ct)
                : null);
        if (waiting is not null)
        {
            var merged = Merge(waiting, lines);
            if (waiting.Supersede(waiting.Subject, merged, Outbox.Html(merged, org.Color)))
            {
                return;
            }
        }

        var text = Greeting(values) + string.Join("\n\n", lines);
        Add(db, c, await Outbox.ComposeAsync(db, router, org, statusLinks, c, customer, channel, destination.Value, text, MessageKind.Update, signer, null, now,
            Guid.CreateVersion7(now), null, automatic: true, now + (quiet > window ? quiet : window), ct), text, now);
    }

    /// <summary>
    /// The message goes into the outbox and onto the case's timeline in this same save; later changes that join it (coalescing)
    /// change the message, and the timeline shows its final text from the outbox.
    /// </summary>
    private static void Add(AmendsDbContext db, RecoveryCase c, OutboundMessage message, string text, DateTimeOffset now)
    {
        db.Outbox.Add(message);
        if (c.RecordMessage(false, message.Channel, text.Length > RecoveryCase.MaxTextLength ? text[..RecoveryCase.MaxTextLength] : text, null, now, message.Id) is null)
        {
            db.Add(c.Timeline[^1]);
        }
    }

    /// <summary>The waiting message's text with the new lines added before its signature.</summary>
    private static string Merge(OutboundMessage waiting, List<string> lines)
    {
        var signature = waiting.TextBody.LastIndexOf("\n\n-- \n", StringComparison.Ordinal);
        var body = signature < 0 ? waiting.TextBody : waiting.TextBody[..signature];
        var tail = signature < 0 ? "" : waiting.TextBody[signature..];
        var fresh = lines.Where(l => !body.Contains(l, StringComparison.Ordinal));
        return string.Join("\n\n", new[] { body }.Concat(fresh)) + tail;
    }

    /// <summary>What a customer whose message opened a case hears first: that it is in hand, and by when someone answers (the SLA's time).</summary>
    private static string Received(RecoveryCase c, string? owner, TimeZoneInfo zone)
    {
        var by = c.Sla.AcknowledgeBy is { } due
            ? "by " + TimeZoneInfo.ConvertTimeFromUtc(due, zone).ToString("dddd d MMMM, HH:mm", CultureInfo.InvariantCulture)
            : "as soon as we can";
        return $"Thank you for telling us, and we are sorry it went wrong. {owner ?? "Someone from our team"} will look into it and get back to you {by}.";
    }

    private static string Greeting(Dictionary<string, string?> values) => $"Hi {values["customer.firstName"] ?? "there"},\n\n";

    private static string Line(Change kind, string? detail, DateTime? due, Playbook? playbook, Dictionary<string, string?> values, string? owner, TimeZoneInfo zone, string? language) => kind switch
    {
        Change.Acknowledged => Template(playbook, TemplateKind.Acknowledgement, values, language) is { } ack
            ? WithoutGreeting(ack, values)
            : $"{owner ?? "Someone from our team"} is looking after your case now and will keep you posted.",
        Change.Promised => $"Our next step: {detail}, by {TimeZoneInfo.ConvertTimeFromUtc(due!.Value, zone).ToString("dddd d MMMM, HH:mm", CultureInfo.InvariantCulture)}.",
        Change.Offered => $"We would like to put this right with {detail}. Choose what suits you on your case page (the link is below).",
        Change.Chosen => $"We have your choice: {detail}. We are getting it done.",
        Change.Fulfilled => $"Done: {detail}.",
        _ => Template(playbook, TemplateKind.Resolution, values, language) is { } resolved ? WithoutGreeting(resolved, values) : "We have put it right. If anything is still wrong, reply to this message.",
    };

    /// <summary>A playbook message in the customer's language where it has one, filled in; null when it has none or still has a [placeholder] a person must fill.</summary>
    private static string? Template(Playbook? playbook, TemplateKind kind, Dictionary<string, string?> values, string? language) =>
        playbook?.Render(kind, values, language) is { Length: > 0 } text && TemplatePlaceholders.First(text) is null ? text : null;

    /// <summary>
    /// "Hi Anna, I'm sorry …" (or "Hallo Anna, …" in a playbook's German) without its greeting: the update starts with
    /// one greeting of its own. A greeting is a short opening before the first comma that names the customer or starts
    /// like one ("Hi", "Hello", "Dear"), so "Sorry, we …" keeps its words.
    /// </summary>
    private static string WithoutGreeting(string text, Dictionary<string, string?> values)
    {
        var comma = text.IndexOf(", ", StringComparison.Ordinal);
        if (comma is <= 0 or >= 40)
        {
            return text;
        }

        var opening = text[..comma];
        var name = values.GetValueOrDefault("customer.firstName");
        var greets = (name is { Length: > 0 } && opening.EndsWith(name, StringComparison.Ordinal))
            || opening.StartsWith("Hi ", StringComparison.Ordinal) || opening.StartsWith("Hello ", StringComparison.Ordinal) || opening.StartsWith("Dear ", StringComparison.Ordinal);
        var rest = text[(comma + 2)..];
        return greets && rest.Length > 0 ? char.ToUpperInvariant(rest[0]) + rest[1..] : text;
    }
}
