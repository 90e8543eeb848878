using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>
/// Ask a supervisor to step in. <see cref="Reason"/> defaults to OwnerAskedForHelp; CustomerAskedForManager records the
/// customer's wish. SLA breaches, repeat failures and very high priority escalate on their own.
/// </summary>
public sealed record EscalateRequest(EscalationReason? Reason = null, [property: StringLength(1000)] string? Note = null);

public sealed record HandBackRequest([property: StringLength(1000)] string? Note = null);

/// <summary>A row of the supervisor's escalation queue.</summary>
public sealed record EscalationItem(
    Guid CaseId,
    string Summary,
    string CustomerName,
    Priority Priority,
    CaseStatus Status,
    EscalationState State,
    EscalationReason? Reason,
    DateTime? EscalatedAt,
    Guid? OwnerId,
    string? OwnerName,
    Guid? SupervisorId,
    string? SupervisorName,
    Guid? TeamId,
    DateTime? ResolveBy,
    bool Breached,
    string? LastCustomerMessage,
    DateTime? AcknowledgeBy,
    bool AcknowledgeBreached,
    bool ResolveBreached);

public sealed class Escalations(AmendsDbContext db)
{
    /// <summary>
    /// Escalated open cases of one team (or all teams), breached first, then the next to breach, then the oldest.
    /// </summary>
    public async Task<IReadOnlyList<EscalationItem>> QueueAsync(Guid? teamId, CancellationToken ct)
    {
        var query = db.Cases.AsNoTracking().Where(c => c.Escalation != EscalationState.None);
        if (teamId is { } t)
        {
            var team = new TeamId(t);
            query = query.Where(c => c.TeamId == team);
        }

        var rows = await (from c in query
                          join cu in db.Customers on c.CustomerId equals cu.Id
                          select new { Case = c, CustomerName = cu.Name }).ToListAsync(ct);
        var ids = rows.Select(r => r.Case.Id).ToList();
        var lastMessages = await db.TimelineEntries.AsNoTracking()
            .Where(e => ids.Contains(e.CaseId) && e.Kind == TimelineEntryKind.MessageIn)
            .GroupBy(e => e.CaseId)
            .Select(g => g.OrderByDescending(e => e.At).Select(e => new { e.CaseId, e.Body }).First())
            .ToListAsync(ct);
        var names = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. rows
            .Select(r => new EscalationItem(
                r.Case.Id.Value, r.Case.Summary, r.CustomerName, r.Case.Priority, r.Case.Status, r.Case.Escalation, r.Case.EscalationReason,
                r.Case.EscalatedAt, r.Case.OwnerId?.Value, r.Case.OwnerId is { } o ? names.GetValueOrDefault(o.Value) : null,
                r.Case.EscalationSupervisorId?.Value, r.Case.EscalationSupervisorId is { } s ? names.GetValueOrDefault(s.Value) : null,
                r.Case.TeamId?.Value, r.Case.Sla.ResolveBy, r.Case.Sla.AcknowledgeBreached || r.Case.Sla.ResolveBreached,
                lastMessages.FirstOrDefault(m => m.CaseId == r.Case.Id)?.Body,
                r.Case.Sla.AcknowledgeBy, r.Case.Sla.AcknowledgeBreached, r.Case.Sla.ResolveBreached))
            .OrderByDescending(i => i.Breached)
            .ThenBy(i => i.AcknowledgeBy ?? i.ResolveBy ?? DateTime.MaxValue)
            .ThenBy(i => i.EscalatedAt)];
    }

    public static DomainError? RequireSupervisor(ClaimsPrincipal user) =>
        user.IsSupervisor() ? null : DomainError.Forbidden("case.supervisor_only", "Only a supervisor can step in or hand back.");
}
