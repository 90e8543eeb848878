using System.ComponentModel.DataAnnotations;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Messaging;

public enum DeliveryReportStatus
{
    Delivered,
    Failed,
}

/// <summary>What a webhook channel tells us about a message we sent it (its <c>messageId</c> from our payload).</summary>
public sealed record DeliveryReport(
    [property: Required] Guid? MessageId,
    [property: Required] DeliveryReportStatus? Status,
    [property: StringLength(OutboundMessage.MaxErrorLength)] string? Reason = null);

public sealed record DeliveryReportResult(Guid MessageId, OutboxState State, bool Changed);

/// <summary>
/// Delivery reports from webhook channels: <c>Delivered</c> marks a sent message delivered; <c>Failed</c> fails it for
/// good with the reason, which goes on the case's timeline. A report repeated, or about a state already passed, changes nothing.
/// </summary>
public sealed class DeliveryReports(AmendsDbContext db, CaseMutation mutation, CaseChangeFeed feed, TimeProvider time)
{
    public async Task<Result<DeliveryReportResult>> ReportAsync(string channel, DeliveryReport report, CancellationToken ct)
    {
        var route = Routes.Webhook(channel);
        var m = await db.Outbox.SingleOrDefaultAsync(x => x.Id == report.MessageId!.Value && x.Route == route, ct);
        if (m is null)
        {
            return DomainError.NotFound("outbox.not_found", $"No message {report.MessageId} went out on {channel}.");
        }

        var now = time.GetUtcNow();
        var reason = string.IsNullOrWhiteSpace(report.Reason) ? $"{channel} could not deliver it" : report.Reason.Trim();
        var changed = report.Status == DeliveryReportStatus.Delivered ? m.ConfirmDelivered(now) : m.Bounce(reason, now);
        if (!changed)
        {
            return Result<DeliveryReportResult>.Ok(new DeliveryReportResult(m.Id, m.State, false));
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.Stale("message");
        }

        await NoteOnCaseAsync(m, report.Status == DeliveryReportStatus.Failed ? $"Could not deliver the {m.Channel} message to {m.To}: {reason}" : null, ct);
        return Result<DeliveryReportResult>.Ok(new DeliveryReportResult(m.Id, m.State, true));
    }

    /// <summary>
    /// After a message's delivery state changed (saved): a failure goes on its case's timeline as "Not delivered" with
    /// <paramref name="failure"/>, and the workspace is told to show the new state. Call it once the state change is
    /// saved: it starts from a clean change tracker.
    /// </summary>
    public async Task NoteOnCaseAsync(OutboundMessage m, string? failure, CancellationToken ct)
    {
        if (m.CaseId is not { } caseId)
        {
            return;
        }

        // A person saving the case at that moment makes a conflict: read the case again and note it then.
        for (var attempt = 0; failure is not null && attempt < 3; attempt++)
        {
            db.ChangeTracker.Clear();
            var noted = await mutation.ApplyAsync(caseId.Value, null, CaseAccess.System, (c, at) =>
            {
                c.RecordDeliveryFailure(m.Channel, failure, m.Id, at);
                return (DomainError?)null;
            }, ct);
            if (noted.IsSuccess || noted.Error!.Kind != ErrorKind.Conflict)
            {
                break;
            }
        }

        await feed.PublishAsync(new CaseChanged(caseId, CaseChangeKind.Delivery, null, null));
    }
}
