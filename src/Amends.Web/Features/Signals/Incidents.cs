using System.ComponentModel;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Messaging;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Signals;

public sealed record IncidentItem(
    Guid Id,
    IncidentDimension Dimension,
    [property: Description("The category's code, or the product or location as the signals name it")] string Key,
    [property: Description("What it is about, in words")] string Title,
    [property: Description("Why it was opened, in one sentence")] string Reason,
    IncidentStatus Status,
    DateTime OpenedAt,
    DateTime WindowStart,
    [property: Description("Customers hit in the window that alarmed")] int Observed,
    [property: Description("What the same window of earlier weeks had on average")] double Expected,
    [property: Description("How likely so many would come by chance")] double PValue,
    [property: Description("Customers it lists now")] int Affected,
    DateTime LastSignalAt,
    DateTime? CasesOpenedAt,
    string? CasesOpenedBy,
    DateTime? MessagedAt,
    string? MessagedBy,
    DateTime? ClosedAt,
    string? ClosedBy,
    long Version);

public sealed record IncidentCustomerItem(
    Guid CustomerId,
    string Name,
    DateTime FirstSignalAt,
    Guid FirstSignalId,
    [property: Description("They wrote, rated or reviewed since the incident began: they complained before we reached them")] bool Complained,
    [property: Description("Their open case, if they have one")] Guid? OpenCaseId,
    string? OpenCaseNumber,
    [property: Description("The case opened for them from the incident")] Guid? IncidentCaseId,
    DateTime? MessagedAt);

public sealed record IncidentDetail(
    IncidentItem Incident,
    [property: Description("Affected customers who had already complained")] int Complained,
    [property: Description("Affected customers with an open case")] int WithOpenCase,
    [property: Description("Affected customers sent the incident's message")] int Messaged,
    Paged<IncidentCustomerItem> Customers);

public sealed record IncidentMessageRequest(
    [property: Description("The subject of the message")] string? Subject,
    [property: Description("The message; {{customer.firstName|there}} and {{customer.name}} are filled per customer")] string? Body);

public sealed record IncidentSkip(Guid CustomerId, string Name, string Reason);

/// <summary>What an action on every affected customer did: how many it reached, and why the others were left.</summary>
public sealed record IncidentActionResult(int Done, int Skipped, IReadOnlyList<IncidentSkip> Skips, IncidentItem Incident);

/// <summary>Incidents as people see them, and the two actions on all their customers.</summary>
public sealed class Incidents(
    AmendsDbContext db, OpenCase openCase, ChannelRouter router, IOptionsMonitor<OrganisationOptions> organisation, TimeProvider time, ILogger<Incidents> logger)
{
    public const int MaxSubjectLength = OutboundMessage.MaxSubjectLength;
    public const int MaxBodyLength = 10_000;

    private static readonly string[] MessageFields = ["customer.name", "customer.firstName"];

    public async Task<Paged<IncidentItem>> ListAsync(IncidentStatus? status, int page, int pageSize, CancellationToken ct)
    {
        var query = db.Incidents.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(i => i.Status == s);
        }

        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(i => i.OpenedAt).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new Paged<IncidentItem>([.. rows.Select(Item)], total, page, pageSize);
    }

    public async Task<Result<IncidentDetail>> GetAsync(Guid id, int page, int pageSize, CancellationToken ct)
    {
        var incident = await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null)
        {
            return NotFound(id);
        }

        var since = incident.WindowStart;
        var open = true;
        var customers = db.IncidentCustomers.AsNoTracking().Where(c => c.IncidentId == id);
        var rows = customers.Select(c => new
        {
            Row = c,
            Name = db.Customers.Where(x => x.Id == c.CustomerId).Select(x => x.Name).First(),
            Complained = db.Signals.Any(s => s.CustomerId == c.CustomerId && s.OccurredAt >= since && s.Kind != SignalKind.Behaviour),
            Open = db.Cases.Where(x => x.CustomerId == c.CustomerId && x.IsOpen == open).OrderByDescending(x => x.UpdatedAt).Select(x => new { x.Id, x.Number }).FirstOrDefault(),
        });
        var complained = await rows.CountAsync(r => r.Complained, ct);
        var withCase = await rows.CountAsync(r => r.Open != null, ct);
        var messaged = await customers.CountAsync(c => c.MessagedAt != null, ct);
        var pageRows = await rows.OrderBy(r => r.Row.FirstSignalAt).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var items = pageRows.Select(r => new IncidentCustomerItem(
            r.Row.CustomerId.Value, r.Name, r.Row.FirstSignalAt, r.Row.FirstSignalId, r.Complained, r.Open?.Id.Value,
            r.Open is null ? null : CaseNumber.Format(r.Open.Number), r.Row.CaseId?.Value, r.Row.MessagedAt)).ToList();
        return Result<IncidentDetail>.Ok(new IncidentDetail(Item(incident), complained, withCase, messaged, new Paged<IncidentCustomerItem>(items, incident.Affected, page, pageSize)));
    }

    /// <summary>
    /// Opens a case for every affected customer who has none open (idempotent: a second call opens none, a customer
    /// added since gets theirs), in the incident's category when it is about one, with a note that says why.
    /// </summary>
    public async Task<Result<IncidentActionResult>> OpenCasesAsync(Guid id, Actor by, CancellationToken ct)
    {
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null)
        {
            return NotFound(id);
        }

        if (incident.Status == IncidentStatus.Closed)
        {
            return DomainError.Conflict("incident.closed", "This incident is closed.");
        }

        var category = incident.Dimension == IncidentDimension.Category && Enum.TryParse<FailureCategory>(incident.Key, out var c) ? c : FailureCategory.Other;
        var open = true;
        var waiting = await db.IncidentCustomers.AsNoTracking().Where(x => x.IncidentId == id && x.CaseId == null)
            .Select(x => new
            {
                x.CustomerId,
                Customer = db.Customers.Where(k => k.Id == x.CustomerId).Select(k => new { k.Name, k.PreferredChannel, k.Email, k.Phone, k.ErasedAt }).First(),
                Open = db.Cases.Where(k => k.CustomerId == x.CustomerId && k.IsOpen == open).Select(k => (int?)k.Number).FirstOrDefault(),
            }).ToListAsync(ct);
        var skips = new List<IncidentSkip>();
        var done = 0;
        var summary = Trim($"Affected by an incident: {incident.Title}", RecoveryCase.MaxSummaryLength);
        foreach (var row in waiting)
        {
            if (row.Customer.ErasedAt is not null)
            {
                skips.Add(new IncidentSkip(row.CustomerId.Value, row.Customer.Name, "Their data was erased."));
                continue;
            }

            if (row.Open is { } number)
            {
                skips.Add(new IncidentSkip(row.CustomerId.Value, row.Customer.Name, $"Already has an open case, {CaseNumber.Format(number)}."));
                continue;
            }

            var channel = SignalIntake.UsualChannel(row.Customer.PreferredChannel, row.Customer.Email, row.Customer.Phone);
            db.ChangeTracker.Clear();
            var opened = await openCase.HandleAsync(new OpenCaseRequest(row.CustomerId.Value, category, summary, channel, Severity.Medium), by, ct,
                creationKey: CreationKey(id, row.CustomerId), supervisor: true,
                alongside: (k, at) =>
                {
                    k.AddNote(by, $"Opened for everyone an incident hit, before they complained. {incident.Reason}", at);
                    return Task.CompletedTask;
                });
            if (!opened.IsSuccess)
            {
                skips.Add(new IncidentSkip(row.CustomerId.Value, row.Customer.Name, opened.Error!.Message));
                continue;
            }

            var caseId = new CaseId(opened.Value.Id);
            await db.IncidentCustomers.Where(x => x.IncidentId == id && x.CustomerId == row.CustomerId)
                .ExecuteUpdateAsync(set => set.SetProperty(x => x.CaseId, caseId), ct);
            done++;
        }

        return await RecordAsync(id, i => i.RecordCasesOpened(by.Name, time.GetUtcNow()), done, skips, ct);
    }

    /// <summary>
    /// Queues one message to every affected customer not sent it yet, on their preferred channel (e-mail when that
    /// cannot be written to), filled per customer; it goes out through the outbox like any other and belongs to no case.
    /// </summary>
    public async Task<Result<IncidentActionResult>> MessageAsync(Guid id, IncidentMessageRequest request, Actor by, CancellationToken ct)
    {
        var errors = new List<DomainError>();
        var subject = request.Subject?.Trim();
        var body = request.Body?.Trim();
        if (string.IsNullOrEmpty(subject) || subject.Length > MaxSubjectLength)
        {
            errors.Add(DomainError.Invalid("incident.subject_required", "subject", $"A subject of 1 to {MaxSubjectLength} characters."));
        }

        if (string.IsNullOrEmpty(body) || body.Length > MaxBodyLength)
        {
            errors.Add(DomainError.Invalid("incident.body_required", "body", $"A message of 1 to {MaxBodyLength:N0} characters."));
        }
        else if (Domain.Playbooks.Playbook.UnknownMergeField(body, MessageFields) is { } unknown)
        {
            errors.Add(DomainError.Invalid("incident.merge_field_unknown", "body", $"{{{{{unknown}}}}} is not a merge field here; use {{{{customer.firstName|there}}}} or {{{{customer.name}}}}."));
        }

        if (errors.Count > 0)
        {
            return errors[0];
        }

        var incident = await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null)
        {
            return NotFound(id);
        }

        if (incident.Status == IncidentStatus.Closed)
        {
            return DomainError.Conflict("incident.closed", "This incident is closed.");
        }

        var org = organisation.CurrentValue;
        var skips = new List<IncidentSkip>();
        var done = 0;
        var now = time.GetUtcNow();
        var ids = await db.IncidentCustomers.AsNoTracking().Where(x => x.IncidentId == id && x.MessagedAt == null).Select(x => x.CustomerId).ToListAsync(ct);
        foreach (var chunk in ids.Chunk(200))
        {
            db.ChangeTracker.Clear();
            var customers = await db.Customers.Include(x => x.ContactPoints).Where(x => chunk.Contains(x.Id)).ToListAsync(ct);
            var rows = await db.IncidentCustomers.Where(x => x.IncidentId == id && chunk.Contains(x.CustomerId)).ToDictionaryAsync(x => x.CustomerId, ct);
            foreach (var customer in customers)
            {
                if (customer.ErasedAt is not null)
                {
                    skips.Add(new IncidentSkip(customer.Id.Value, customer.Name, "Their data was erased."));
                    continue;
                }

                var channel = customer.PreferredChannel ?? Channel.Email;
                var destination = router.Route(customer, channel);
                if (!destination.IsSuccess && channel != Channel.Email)
                {
                    (channel, destination) = (Channel.Email, router.Route(customer, Channel.Email));
                }

                if (!destination.IsSuccess)
                {
                    skips.Add(new IncidentSkip(customer.Id.Value, customer.Name, destination.Error!.Message));
                    continue;
                }

                var values = new Dictionary<string, string?>
                {
                    ["customer.name"] = customer.Name,
                    ["customer.firstName"] = customer.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(),
                };
                var text = Domain.Playbooks.Playbook.Fill(body!, values) + $"\n\n{by.Name}\n{org.Name}";
                db.Outbox.Add(OutboundMessage.Queue(MessageKind.Proactive, channel, destination.Value.Route, destination.Value.Address, customer.Name,
                    subject!, text, Outbox.Html(text, org.Color), router.MessageIdDomain, now, customerId: customer.Id, by: by));
                rows[customer.Id].Messaged(now);
                done++;
            }

            await db.SaveChangesAsync(ct);
        }

        logger.LogInformation("Incident {IncidentId}: {Done} customers sent a message by {By}", id, done, by.Name);
        return await RecordAsync(id, i => i.RecordMessaged(by.Name, now), done, skips, ct);
    }

    public async Task<Result<IncidentItem>> CloseAsync(Guid id, long? expectedVersion, Actor by, CancellationToken ct)
    {
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null)
        {
            return NotFound(id);
        }

        if (expectedVersion is { } v && v != incident.Version)
        {
            return DomainError.Conflict("incident.version_mismatch", "The incident changed since you loaded it: load it again.");
        }

        if (incident.Close(by.Name, time.GetUtcNow()) is { } error)
        {
            return error;
        }

        await db.SaveChangesAsync(ct);
        return Result<IncidentItem>.Ok(Item(incident));
    }

    private async Task<Result<IncidentActionResult>> RecordAsync(Guid id, Func<Incident, DomainError?> change, int done, List<IncidentSkip> skips, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var incident = await db.Incidents.SingleAsync(i => i.Id == id, ct);
            if (done > 0)
            {
                change(incident);
            }

            try
            {
                await db.SaveChangesAsync(ct);
                return Result<IncidentActionResult>.Ok(new IncidentActionResult(done, skips.Count, skips, Item(incident)));
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                // The watch added customers meanwhile: record the action on the fresh row.
            }
        }
    }

    public static IncidentItem Item(Incident i) => new(
        i.Id, i.Dimension, i.Key, i.Title, i.Reason, i.Status, i.OpenedAt, i.WindowStart, i.Observed, i.Expected, i.PValue, i.Affected,
        i.LastSignalAt, i.CasesOpenedAt, i.CasesOpenedBy, i.MessagedAt, i.MessagedBy, i.ClosedAt, i.ClosedBy, i.Version);

    /// <summary>One key per incident and customer (the case's idempotency key holds 64 characters: the pair is hashed).</summary>
    private static string CreationKey(Guid incident, CustomerId customer) =>
        "incident:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes($"{incident:N}{customer.Value:N}")).AsSpan(0, 16));

    private static DomainError NotFound(Guid id) => DomainError.NotFound("incident.not_found", $"There is no incident {id}.");

    private static string Trim(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
