using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Customers;

/// <summary>Erasing is for good: <see cref="Confirm"/> must repeat the customer's id.</summary>
public sealed record EraseCustomerRequest(
    [property: Required, StringLength(64)] string? Confirm,
    [property: StringLength(1000)] string? Reason = null);

public sealed record ErasureResult(Guid CustomerId, DateTime ErasedAt, int Cases, int MessagesErased, int SentMessagesErased = 0, int ReceivedEmailsErased = 0);

/// <summary>
/// A customer's data on request (GDPR articles 15, 17 and 20): everything Amends holds about them as one JSON document,
/// and erasure, which anonymises the person everywhere (name, contact points, the text they wrote) and keeps the
/// anonymised cases, so the figures and the money ledger stay whole. Admins only; both are on the ledger.
/// </summary>
public sealed class CustomerData(AmendsDbContext db, Remedies.Ledger ledger, TimeProvider time)
{
    public const string ErasedText = "[erased at the customer's request]";

    public async Task<Result<object>> ExportAsync(Guid id, Actor by, CancellationToken ct)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == new CustomerId(id), ct);
        if (customer is null)
        {
            return DomainError.NotFound("customer.not_found", $"There is no customer {id}.");
        }

        var cases = await db.Cases.AsNoTracking().Include(c => c.Timeline).Where(c => c.CustomerId == customer.Id).OrderBy(c => c.CreatedAt).ToListAsync(ct);
        var caseIds = cases.Select(c => c.Id).ToList();
        var promises = (await db.Promises.AsNoTracking().Where(p => caseIds.Contains(p.CaseId)).ToListAsync(ct)).ToLookup(p => p.CaseId);
        var offers = (await db.Offers.AsNoTracking().Where(o => caseIds.Contains(o.CaseId)).ToListAsync(ct)).ToLookup(o => o.CaseId);
        var caseGuids = caseIds.Select(c => (Guid?)c.Value).ToList();
        var emails = await db.InboundEmails.AsNoTracking()
            .Where(e => caseGuids.Contains(e.CaseId) || (customer.Email != null && e.FromAddress == customer.Email))
            .OrderBy(e => e.ReceivedAt)
            .Select(e => new { e.ReceivedAt, e.FromAddress, e.Subject, e.Text, e.State, e.CaseId })
            .ToListAsync(ct);
        var signals = await db.Signals.AsNoTracking().Where(x => x.CustomerId == customer.Id).OrderBy(x => x.OccurredAt)
            .Select(x => new { x.Source, x.Kind, x.OccurredAt, x.SurveyType, x.Score, x.Rating, x.Site, x.Event, x.Value, x.Text, x.Product, x.Location, x.OrderReference, x.Risk, x.Reason })
            .ToListAsync(ct);
        var now = time.GetUtcNow();

        object document = new
        {
            exportedAt = now.UtcDateTime,
            customer = new
            {
                id = customer.Id.Value,
                customer.Name,
                customer.Email,
                customer.Phone,
                customer.PreferredChannel,
                customer.Tier,
                lifetimeValue = MoneyDto.From(customer.LifetimeValue),
                contactPoints = customer.AllContactPoints().Select(p => new { p.Channel, p.Address }),
                customer.CreatedAt,
                customer.ErasedAt,
            },
            cases = cases.Select(c => new
            {
                id = c.Id.Value,
                c.Category,
                c.Severity,
                c.Priority,
                c.Channel,
                c.Summary,
                c.Status,
                c.Outcome,
                c.CreatedAt,
                c.ResolvedAt,
                c.ClosedAt,
                c.Resolution,
                c.FollowUpScore,
                c.FollowUpComment,

                // Everything on the shared timeline except internal notes, which are staff's working notes, not the customer's data.
                messages = c.Timeline.Where(e => e.Kind is TimelineEntryKind.MessageIn or TimelineEntryKind.MessageOut).OrderBy(e => e.Sequence)
                    .Select(e => new { e.At, direction = e.Kind == TimelineEntryKind.MessageIn ? "In" : "Out", e.Channel, e.Body }),
                timeline = c.Timeline.Where(e => e.Kind != TimelineEntryKind.Note).OrderBy(e => e.Sequence)
                    .Select(e => new { e.At, e.Kind, e.Body, e.FromStatus, e.ToStatus }),
                promises = promises[c.Id].Select(p => new { p.Text, p.DueAt, p.Status, p.SettledAt }),
                remedies = offers[c.Id].Select(o => new
                {
                    o.Status,
                    o.CreatedAt,
                    o.Currency,
                    options = o.Options.Select(x => new { x.Type, x.Description, x.AmountMinor }),
                    chosen = o.Chosen?.Description,
                    o.FulfilledAt,
                }),
            }),

            // Every e-mail they sent to the support mailbox, whole (the timeline shows the new text of each).
            emails,

            // Every signal about them: surveys, messages, reviews, what they did, and what detection made of each.
            signals,
        };

        var written = await ledger.WriteAsync(async at =>
        {
            await ledger.AppendAsync("customer.exported", by, $"customer:{id}", null, null, null, new { cases = cases.Count }, null, at, ct);
            return Result<bool>.Ok(true);
        }, ct);
        return written.IsSuccess ? Result<object>.Ok(document) : written.Error!;
    }

    public async Task<Result<ErasureResult>> EraseAsync(Guid id, EraseCustomerRequest request, Actor by, CancellationToken ct)
    {
        if (!Guid.TryParse(request.Confirm, out var confirmed) || confirmed != id)
        {
            return DomainError.Invalid("customer.erase_unconfirmed", "confirm",
                "Erasure cannot be undone: send the customer's id as 'confirm' to go ahead.");
        }

        return await ledger.WriteAsync(async now =>
        {
            var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == new CustomerId(id), ct);
            if (customer is null)
            {
                return DomainError.NotFound("customer.not_found", $"There is no customer {id}.");
            }

            // The records merged into this one are the same person: they go with it, and so does mail from their addresses.
            var duplicates = await db.Customers.Where(c => c.MergedIntoId == customer.Id).ToListAsync(ct);
            var addresses = duplicates.Prepend(customer).Select(c => c.Email).OfType<string>().ToList();
            customer.Erase(now);
            foreach (var duplicate in duplicates)
            {
                duplicate.Erase(now);
            }

            var cases = await db.Cases.Where(c => c.CustomerId == customer.Id).ToListAsync(ct);
            foreach (var c in cases)
            {
                c.EraseCustomerText(now);
            }

            var caseIds = cases.Select(c => c.Id).ToList();
            var messages = await db.TimelineEntries
                .Where(e => caseIds.Contains(e.CaseId) && (e.Kind == TimelineEntryKind.MessageIn || e.Kind == TimelineEntryKind.AutomaticReply || e.Kind == TimelineEntryKind.Signal) && e.Body != ErasedText)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.Body, ErasedText), ct);

            // Their signals keep what the statistics need (kind, scores, when, risk) without what they wrote or which order it was.
            await db.Signals.Where(x => x.CustomerId == customer.Id && (x.Text != null || x.OrderReference != null))
                .ExecuteUpdateAsync(set => set.SetProperty(x => x.Text, x => x.Text == null ? null : ErasedText).SetProperty(x => x.OrderReference, (string?)null), ct);

            // What we sent them keeps its place in the outbox (dates, states, for the reports) without their address or the words.
            var customerId = customer.Id;
            var sent = db.Outbox.Where(m => m.CustomerId == customerId);
            await db.OutboxAttachments.Where(a => sent.Any(m => m.Id == a.MessageId)).ExecuteDeleteAsync(ct);
            var outgoing = await sent.Where(m => m.TextBody != ErasedText).ExecuteUpdateAsync(set => set
                .SetProperty(m => m.To, "erased").SetProperty(m => m.ToName, (string?)null).SetProperty(m => m.TextBody, ErasedText)
                .SetProperty(m => m.HtmlBody, (string?)null).SetProperty(m => m.Subject, "(erased)"), ct);

            // So does what they wrote to the support mailbox (its Message-ID stays: a copy read again is still known).
            var caseGuids = caseIds.Select(c => (Guid?)c.Value).ToList();
            var received = db.InboundEmails.Where(e => caseGuids.Contains(e.CaseId) || addresses.Contains(e.FromAddress));
            await db.InboundEmailAttachments.Where(a => received.Any(e => e.Id == a.EmailId)).ExecuteDeleteAsync(ct);
            var emails = await received.Where(e => e.Text != ErasedText).ExecuteUpdateAsync(set => set
                .SetProperty(e => e.FromAddress, "erased").SetProperty(e => e.FromName, (string?)null).SetProperty(e => e.Subject, "(erased)")
                .SetProperty(e => e.NewText, ErasedText).SetProperty(e => e.Text, ErasedText).SetProperty(e => e.Html, (string?)null)
                .SetProperty(e => e.AttachmentsOmitted, (string?)null), ct);

            // The ledger names the subject and the counts, never the erased data.
            await ledger.AppendAsync("customer.erased", by, $"customer:{id}", null, null, null, new { cases = cases.Count, messages, sent = outgoing, received = emails },
                string.IsNullOrWhiteSpace(request.Reason) ? "At the customer's request" : request.Reason, now, ct);
            return Result<ErasureResult>.Ok(new ErasureResult(id, customer.ErasedAt!.Value, cases.Count, messages, outgoing, emails));
        }, ct);
    }
}
