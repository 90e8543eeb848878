using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Messaging;

/// <summary>A customer's message arriving on a webhook channel.</summary>
public sealed record InboundRequest(
    [property: Required, StringLength(300)] string? ExternalId,
    [property: Required, StringLength(320)] string? From,
    [property: Required, StringLength(RecoveryCase.MaxTextLength)] string? Text,
    DateTimeOffset? OccurredAt = null,
    [property: StringLength(32)] string? CaseNumber = null,
    [property: StringLength(Customer.MaxNameLength)] string? Name = null);

/// <summary>Where an inbound message went: <c>Attached</c> to a case, or <c>Opened</c> one.</summary>
public sealed record InboundResult(Guid CaseId, string CaseNumber, string Action, bool Replayed = false);

/// <summary>
/// Takes a customer's message from a channel: onto the case it names (its number) or the customer's open case, else a new
/// case for them, created with them if they are new; a wait on them ends. Each message is stored once, by the channel's
/// own id for it: a retry returns the first result.
/// </summary>
public sealed class Inbound(AmendsDbContext db, CaseMutation mutation, Sla.SlaClocks clocks, Playbooks.PlaybookLibrary playbooks, CaseChangeFeed feed, TimeProvider time)
{
    public async Task<Result<InboundResult>> ReceiveAsync(string channelName, Channel channel, InboundRequest request, string? webhookId, CancellationToken ct)
    {
        var name = channelName.ToLowerInvariant();
        if (await EarlierAsync(name, request.ExternalId!, ct) is { } earlier)
        {
            return earlier;
        }

        var from = request.From!.Trim();
        var text = request.Text!.Trim();
        var customer = await FindCustomerAsync(channel, from, ct);
        RecoveryCase? target = null;
        if (CaseNumber.Parse(request.CaseNumber) is { } number)
        {
            target = await db.Cases.SingleOrDefaultAsync(c => c.Number == number && (customer == null || c.CustomerId == customer.Id), ct);
        }

        if (target is null && customer is not null)
        {
            target = await db.Cases.Where(c => c.CustomerId == customer.Id && c.IsOpen).OrderByDescending(c => c.UpdatedAt).FirstOrDefaultAsync(ct);
        }

        var stored = await (target is not null
            ? AttachAsync(target, channel, text, null, (c, at) => db.InboundMessages.Add(Row(name, request, webhookId, c.Id, opened: false, at)), ct)
            : OpenAsync(customer, channel, from, request.Name, $"Message on {name}: ", text, null, (c, at) => db.InboundMessages.Add(Row(name, request, webhookId, c.Id, opened: true, at)), ct));
        return stored.IsSuccess ? stored : await EarlierAsync(name, request.ExternalId!, ct) ?? stored.Error!;
    }

    /// <summary>
    /// Adds a customer's message to <paramref name="target"/> (a wait on them ends), storing what <paramref name="store"/>
    /// adds in the same transaction. A conflict (the same message stored meanwhile) is a <c>Conflict</c> error.
    /// </summary>
    internal async Task<Result<InboundResult>> AttachAsync(RecoveryCase target, Channel channel, string text, Guid? messageId, Action<RecoveryCase, DateTimeOffset> store, CancellationToken ct)
    {
        var attached = await mutation.ApplyAsync(target.Id.Value, null, CaseAccess.Customer, (c, at) =>
        {
            store(c, at);
            return c.RecordMessage(true, channel, text, null, at, messageId) ?? (c.Status == CaseStatus.WaitingOnCustomer ? c.Resume(null, at) : null);
        }, ct);
        return attached.IsSuccess ? Result<InboundResult>.Ok(new InboundResult(attached.Value.Id, attached.Value.Number, "Attached")) : attached.Error!;
    }

    /// <summary>
    /// Opens a case for a customer's message (registering them when <paramref name="customer"/> is null), with
    /// <paramref name="summaryPrefix"/> and the start of the text as its summary, storing what <paramref name="store"/>
    /// adds in the same transaction. The same message stored meanwhile is a <c>Conflict</c> error.
    /// </summary>
    internal async Task<Result<InboundResult>> OpenAsync(
        Customer? customer, Channel channel, string from, string? name, string summaryPrefix, string text, Guid? messageId,
        Action<RecoveryCase, DateTimeOffset> store, CancellationToken ct, string? summary = null)
    {
        var now = time.GetUtcNow();
        if (customer is null)
        {
            var registered = Customer.Register(string.IsNullOrWhiteSpace(name) ? from : name, channel == Channel.Email ? from : null,
                channel == Channel.Sms ? from : null, now, otherContactPoints: channel is Channel.Email or Channel.Sms ? [] : [new ContactPoint(channel, from)]);
            if (!registered.IsSuccess)
            {
                return registered.Error! with { Field = "from" };
            }

            customer = registered.Value;
            db.Customers.Add(customer);
        }

        var room = RecoveryCase.MaxSummaryLength - summaryPrefix.Length - 1;
        var start = OneLine(summary ?? text);
        var opened = RecoveryCase.Open(customer, FailureCategory.Other, Severity.Medium, channel, summaryPrefix + (start.Length > room ? start[..(room - 1)] + "…" : start), null, now).Value;
        if (await playbooks.CurrentAsync(opened.Category, ct) is { } playbook)
        {
            opened.ApplyPlaybook(playbook);
        }

        opened.RecordMessage(true, channel, text, null, now, messageId);
        db.Cases.Add(opened);
        store(opened, now);
        await clocks.ReconcileAsync(opened, now, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same message again, at the same moment: the first one stored wins.
            db.ChangeTracker.Clear();
            return ApiProblems.Stale("message");
        }

        await feed.PublishAsync(new CaseChanged(opened.Id, CaseChangeKind.Created, opened.TeamId, opened.OwnerId));
        return Result<InboundResult>.Ok(new InboundResult(opened.Id.Value, opened.Reference, "Opened"));
    }

    /// <summary>The text on one line, for a summary.</summary>
    internal static string OneLine(string text) => string.Join(' ', text.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Whether a delivery with this webhook id was taken already (a replay).</summary>
    public Task<bool> SeenAsync(string channelName, string webhookId, CancellationToken ct)
    {
        var name = channelName.ToLowerInvariant();
        return db.InboundMessages.AnyAsync(m => m.Channel == name && m.WebhookId == webhookId, ct);
    }

    private async Task<Result<InboundResult>?> EarlierAsync(string channel, string externalId, CancellationToken ct)
    {
        var row = await db.InboundMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Channel == channel && m.ExternalId == externalId, ct);
        if (row is null)
        {
            return null;
        }

        var number = await db.Cases.Where(c => c.Id == new CaseId(row.CaseId)).Select(c => c.Number).SingleAsync(ct);
        return Result<InboundResult>.Ok(new InboundResult(row.CaseId, CaseNumber.Format(number), row.Opened ? "Opened" : "Attached", Replayed: true));
    }

    /// <summary>The customer an address belongs to; a record merged into another leads to the one kept.</summary>
    internal async Task<Customer?> FindCustomerAsync(Channel channel, string from, CancellationToken ct)
    {
        var found = await FindByAddressAsync(channel, from, ct);
        return found?.MergedIntoId is { } kept ? await db.Customers.SingleOrDefaultAsync(c => c.Id == kept, ct) ?? found : found;
    }

    private async Task<Customer?> FindByAddressAsync(Channel channel, string from, CancellationToken ct)
    {
        if (channel == Channel.Email && Customer.NormalizeEmail(from) is { } email)
        {
            return await db.Customers.SingleOrDefaultAsync(c => c.Email == email, ct);
        }

        if (channel == Channel.Sms && await db.Customers.Where(c => c.Phone == from).OrderBy(c => c.CreatedAt).FirstOrDefaultAsync(ct) is { } byPhone)
        {
            return byPhone;
        }

        // Other handles live in the JSON list of contact points, which both databases query in place.
        return await db.Customers.Where(c => c.ContactPoints.Any(p => p.Channel == channel && p.Address == from)).OrderBy(c => c.CreatedAt).FirstOrDefaultAsync(ct);
    }

    private static InboundMessage Row(string channel, InboundRequest request, string? webhookId, CaseId caseId, bool opened, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Channel = channel,
        ExternalId = request.ExternalId!.Trim(),
        WebhookId = webhookId,
        CaseId = caseId.Value,
        Opened = opened,
        ReceivedAt = now.UtcDateTime,
    };
}
