using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Amends.Web.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

/// <summary>Opens a recovery case for a customer. Severity defaults to Medium; the case lands in the given team's queue.</summary>
public sealed record OpenCaseRequest(
    [property: Required] Guid? CustomerId,
    [property: Required] FailureCategory? Category,
    [property: Required, StringLength(RecoveryCase.MaxSummaryLength)] string? Summary,
    [property: Required] Channel? Channel,
    Severity? Severity = null,
    Guid? TeamId = null,
    Guid? OwnerId = null);

public sealed class OpenCase(AmendsDbContext db, TimeProvider time, CaseChangeFeed feed, CaseReader reader, Sla.SlaClocks clocks, Playbooks.PlaybookLibrary playbooks, AmendsMetrics metrics)
{
    /// <summary>A second case for the same customer within this window is a repeat failure.</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromDays(90);

    /// <summary>
    /// Opens the case. With <paramref name="creationKey"/> (the request's idempotency row key) a case already opened with
    /// it is returned instead of a second: a retry that took over a request whose instance crashed after committing.
    /// </summary>
    /// <remarks>
    /// Without an <paramref name="actor"/> Amends opens the case itself (detection): it then goes to no team or owner of
    /// its own. <paramref name="alongside"/> adds what must commit with the case (the signal that drove it).
    /// </remarks>
    public async Task<Result<CaseDetail>> HandleAsync(
        OpenCaseRequest request, Actor? actor, CancellationToken ct, string? creationKey = null, bool supervisor = false,
        Func<RecoveryCase, DateTimeOffset, Task>? alongside = null)
    {
        if (actor is null && (request.OwnerId is not null || request.TeamId is not null))
        {
            throw new ArgumentException("A case Amends opens by itself names no team or owner.", nameof(request));
        }

        // Opening a case for someone else to own is assigning it: a supervisor's call, as on an open case (CaseAccess).
        if (request.OwnerId is { } wanted && wanted != actor!.Id.Value && !supervisor)
        {
            return DomainError.Forbidden("case.assign_forbidden", "Open the case for yourself or for the team; a supervisor assigns it to someone else.");
        }

        if (creationKey is not null && await OpenedWithAsync(creationKey, ct) is { } earlier)
        {
            return await reader.GetAsync(earlier.Value, ct);
        }

        // The customer with what the case card shows of their history, and whether this is a repeat failure, in one
        // read: counts capped as the card caps them, so opening costs the same however many cases they have had.
        // Whole microseconds, PostgreSQL's precision: the answer is built from these objects, and must show the times
        // exactly as the database keeps them and a later read returns them.
        var clock = time.GetUtcNow();
        var now = clock.AddTicks(-(clock.Ticks % 10));
        var since = now.UtcDateTime - RepeatWindow;
        var open = true;
        var found = await db.Customers.AsNoTracking().Where(c => c.Id == new CustomerId(request.CustomerId!.Value)).Select(c => new
        {
            Customer = c,
            OtherOpen = db.Cases.Where(o => o.CustomerId == c.Id && o.IsOpen == open).Take(CaseReader.CountCap).Count(),
            Recent = db.Cases.Where(o => o.CustomerId == c.Id && o.CreatedAt >= since).Take(CaseReader.CountCap).Count(),
        }).SingleOrDefaultAsync(ct);
        var customer = found?.Customer;
        if (customer is null)
        {
            return DomainError.NotFound("customer.not_found", $"There is no customer {request.CustomerId}.", "customerId");
        }

        TeamId? team = request.TeamId is { } teamId ? new TeamId(teamId) : null;
        if (team is { } t && !await db.Teams.AnyAsync(x => x.Id == t, ct))
        {
            return DomainError.NotFound("team.not_found", $"There is no team {request.TeamId}.", "teamId");
        }

        AppUser? owner = null;
        if (request.OwnerId is { } ownerId)
        {
            owner = await db.Users.SingleOrDefaultAsync(u => u.Id == ownerId && u.IsActive, ct);
            if (owner is null)
            {
                return DomainError.NotFound("user.not_found", $"There is no active user {ownerId}.", "ownerId");
            }

            team ??= owner.TeamId;
        }

        var repeat = found!.Recent > 0;
        var opened = RecoveryCase.Open(customer, request.Category!.Value, request.Severity ?? Severity.Medium, request.Channel!.Value,
            request.Summary, actor, now, repeat);
        if (!opened.IsSuccess)
        {
            return opened.Error!;
        }

        var recoveryCase = opened.Value;
        if (await playbooks.CurrentAsync(recoveryCase.Category, ct) is { } playbook)
        {
            recoveryCase.ApplyPlaybook(playbook);
        }

        if (team is { } queue)
        {
            recoveryCase.MoveToTeam(queue, actor!, now);
        }

        if (owner is not null)
        {
            recoveryCase.Assign(owner.ToActor(), team, actor!, now);
        }

        // Double deviations and the most urgent cases go straight to the supervisor's queue.
        if (recoveryCase.RepeatFailure)
        {
            recoveryCase.Escalate(EscalationReason.RepeatFailure, "A second failure for this customer within 90 days", null, now);
        }
        else if (recoveryCase.Priority == Priority.Urgent)
        {
            recoveryCase.Escalate(EscalationReason.VeryHighPriority, null, null, now);
        }

        db.Cases.Add(recoveryCase);
        if (creationKey is not null)
        {
            db.Entry(recoveryCase).Property(RecoveryCaseConfiguration.CreationKey).CurrentValue = creationKey;
        }

        if (alongside is not null)
        {
            await alongside(recoveryCase, now);
        }

        await clocks.ReconcileAsync(recoveryCase, now, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (creationKey is not null)
        {
            // Two attempts with one key ran at once (the first was presumed dead): the one that committed first wins.
            db.ChangeTracker.Clear();
            if (await OpenedWithAsync(creationKey, ct) is not { } raced)
            {
                throw;
            }

            return await reader.GetAsync(raced.Value, ct);
        }

        metrics.CaseOpened(recoveryCase.Category.ToString());
        await feed.PublishAsync(new CaseChanged(recoveryCase.Id, CaseChangeKind.Created, recoveryCase.TeamId, recoveryCase.OwnerId));
        // Answered from what was just saved (a new case's whole timeline is in memory) instead of read back.
        return Result<CaseDetail>.Ok(await reader.ComposeAsync(recoveryCase, customer, found.OtherOpen, found.Recent + 1, [.. recoveryCase.Timeline], recoveryCase.Timeline.Count, ct));
    }

    private async Task<CaseId?> OpenedWithAsync(string creationKey, CancellationToken ct) =>
        await db.Cases.AsNoTracking()
            .Where(c => EF.Property<string?>(c, RecoveryCaseConfiguration.CreationKey) == creationKey)
            .Select(c => (CaseId?)c.Id)
            .FirstOrDefaultAsync(ct);
}
