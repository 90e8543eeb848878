using Amends.Domain.Cases;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Messaging.Transports;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Messaging;

/// <summary>
/// Wakes this instance's delivery worker as soon as a save adds a message to the outbox, so a reply leaves within
/// moments instead of at the next poll. Other instances find it at their next poll.
/// </summary>
public sealed class OutboxSignal : SaveChangesInterceptor, IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly AsyncLocal<bool> _pending = new();

    public void Notify()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);

    public void Dispose() => _wake.Dispose();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        _pending.Value = eventData.Context?.ChangeTracker.Entries<OutboundMessage>().Any(e => e.State is EntityState.Added or EntityState.Modified) == true;
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (_pending.Value)
        {
            _pending.Value = false;
            Notify();
        }

        return ValueTask.FromResult(result);
    }
}

/// <summary>
/// Delivers the outbox. Claims due messages with a lease in one atomic update (as the sweep claims due work), so two
/// instances never send one message; sends each route's batch through its transport; records every result with an
/// update that only counts while this worker still holds the lease. Transient failures come back after an
/// exponential, jittered backoff; a permanent one, or the last retry, fails the message with its reason and puts that
/// on the case's timeline. A crash between sending and recording sends it again with the same Message-ID.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IEnumerable<IMessageTransport> transports,
    IOptionsMonitor<OutboxOptions> options,
    CaseChangeFeed feed,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger)
{
    private readonly IReadOnlyList<IMessageTransport> _transports = [.. transports];

    /// <summary>Claims and delivers one batch; returns how many messages it claimed.</summary>
    public async Task<int> DeliverOnceAsync(CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var owner = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        var lease = TimeSpan.FromSeconds(Math.Max(10, settings.LeaseSeconds));
        var claimed = await ClaimAsync(owner, now, lease, Math.Clamp(settings.BatchSize, 1, 1000), ct);
        if (claimed.Count == 0)
        {
            return 0;
        }

        // Leave a margin before the lease runs out: past it another instance may take the rest over.
        var deadline = now + lease * 0.75;
        var results = new List<(Outgoing Outgoing, SendResult Result)>();
        foreach (var group in claimed.GroupBy(o => o.Message.Route))
        {
            var transport = _transports.FirstOrDefault(t => t.Handles(group.Key));
            var batch = group.ToList();
            IReadOnlyList<SendResult> sent;
            if (transport is null)
            {
                sent = [.. batch.Select(o => new SendResult(o.Message.Id, SendStatus.Transient, $"No channel '{group.Key}' is configured on this instance"))];
            }
            else
            {
                try
                {
                    sent = await transport.SendAsync(group.Key, batch, deadline, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogError(ex, "Channel {Route} failed a batch of {Count}", group.Key, batch.Count);
                    sent = [.. batch.Select(o => new SendResult(o.Message.Id, SendStatus.Transient, ex.Message))];
                }
            }

            var byId = sent.ToDictionary(r => r.MessageId);
            results.AddRange(batch.Select(o => (o, byId.GetValueOrDefault(o.Message.Id) ?? SendResult.NotTried(o.Message.Id))));
        }

        await RecordAsync(owner, results, ct);
        return claimed.Count;
    }

    private async Task<List<Outgoing>> ClaimAsync(Guid owner, DateTimeOffset now, TimeSpan lease, int batchSize, CancellationToken ct)
    {
        var at = now.UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var candidates = await db.Outbox.AsNoTracking()
            .Where(m => m.State == OutboxState.Queued && m.NextAttemptAt <= at && (m.LeaseUntil == null || m.LeaseUntil < at))
            .OrderBy(m => m.NextAttemptAt)
            .Select(m => m.Id)
            .Take(batchSize)
            .ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return [];
        }

        // The conditions are repeated so that of two instances racing for a message only one update matches it.
        var until = at + lease;
        await db.Outbox
            .Where(m => candidates.Contains(m.Id) && m.State == OutboxState.Queued && (m.LeaseUntil == null || m.LeaseUntil < at))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseOwner, owner).SetProperty(m => m.LeaseUntil, until)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.Version, m => m.Version + 1), ct);
        var messages = await db.Outbox.AsNoTracking().Where(m => candidates.Contains(m.Id) && m.LeaseOwner == owner)
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).ToListAsync(ct);
        var ids = messages.Select(m => m.Id).ToList();
        var attachments = (await db.OutboxAttachments.AsNoTracking().Where(a => ids.Contains(a.MessageId)).ToListAsync(ct))
            .ToLookup(a => a.MessageId);
        return [.. messages.Select(m => new Outgoing(m, [.. attachments[m.Id]]))];
    }

    private async Task RecordAsync(Guid owner, List<(Outgoing Outgoing, SendResult Result)> results, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var at = now.UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();

        // Recording must not be cut short by shutdown: the messages went out.
        var record = CancellationToken.None;
        var sent = results.Where(r => r.Result.Status == SendStatus.Sent).Select(r => r.Outgoing.Message.Id).ToList();
        if (sent.Count > 0)
        {
            await db.Outbox.Where(m => sent.Contains(m.Id) && m.LeaseOwner == owner).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, OutboxState.Sent).SetProperty(m => m.SentAt, at).SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.LeaseOwner, (Guid?)null).SetProperty(m => m.LeaseUntil, (DateTime?)null).SetProperty(m => m.Version, m => m.Version + 1), record);
        }

        var delivered = results.Where(r => r.Result.Status == SendStatus.Delivered).Select(r => r.Outgoing.Message.Id).ToList();
        if (delivered.Count > 0)
        {
            await db.Outbox.Where(m => delivered.Contains(m.Id) && m.LeaseOwner == owner).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, OutboxState.Delivered).SetProperty(m => m.SentAt, at).SetProperty(m => m.DeliveredAt, at)
                .SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.LeaseOwner, (Guid?)null).SetProperty(m => m.LeaseUntil, (DateTime?)null).SetProperty(m => m.Version, m => m.Version + 1), record);
        }

        var notTried = results.Where(r => r.Result.Status is null).Select(r => r.Outgoing.Message.Id).ToList();
        if (notTried.Count > 0)
        {
            await db.Outbox.Where(m => notTried.Contains(m.Id) && m.LeaseOwner == owner).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Attempts, m => m.Attempts - 1)
                .SetProperty(m => m.LeaseOwner, (Guid?)null).SetProperty(m => m.LeaseUntil, (DateTime?)null).SetProperty(m => m.Version, m => m.Version + 1), record);
        }

        var failedForGood = new List<OutboundMessage>();
        foreach (var (outgoing, result) in results.Where(r => r.Result.Status is SendStatus.Transient or SendStatus.Permanent))
        {
            var m = outgoing.Message;
            var reason = OutboundMessage.Reason(result.Error);
            var attempts = m.Attempts + 1; // the claim counted this attempt after the row was read
            if (result.Status == SendStatus.Permanent || attempts >= OutboundMessage.MaxAttempts)
            {
                var why = result.Status == SendStatus.Permanent ? reason : $"Gave up after {attempts} attempts: {reason}";
                var changed = await db.Outbox.Where(x => x.Id == m.Id && x.LeaseOwner == owner).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.State, OutboxState.Failed).SetProperty(x => x.LastError, why).SetProperty(x => x.EndedAt, at)
                    .SetProperty(x => x.LeaseOwner, (Guid?)null).SetProperty(x => x.LeaseUntil, (DateTime?)null).SetProperty(x => x.Version, x => x.Version + 1), record);
                if (changed == 1)
                {
                    failedForGood.Add(m);
                    logger.LogWarning("Message {MessageId} to {To} failed for good: {Reason}", m.Id, m.To, why);
                }
            }
            else
            {
                var settings = options.CurrentValue;
                var next = at + OutboundMessage.Backoff(attempts, Random.Shared.NextDouble(),
                    TimeSpan.FromSeconds(settings.FirstRetrySeconds), TimeSpan.FromSeconds(settings.LongestRetrySeconds));
                await db.Outbox.Where(x => x.Id == m.Id && x.LeaseOwner == owner).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.LastError, reason).SetProperty(x => x.NextAttemptAt, next)
                    .SetProperty(x => x.LeaseOwner, (Guid?)null).SetProperty(x => x.LeaseUntil, (DateTime?)null).SetProperty(x => x.Version, x => x.Version + 1), record);
            }
        }

        foreach (var m in failedForGood.Where(m => m.CaseId is not null))
        {
            var reason = (await ReasonAsync(m.Id)) ?? "unknown";
            await OnCaseAsync(m, (c, at) =>
            {
                c.RecordDeliveryFailure(m.Channel, $"Could not deliver the {m.Channel} message to {m.To}: {reason}", m.Id, at);
                return null;
            }, ct);
        }

        // The workspace shows each message's state beside it: tell it to look again.
        foreach (var caseId in results.Select(r => r.Outgoing.Message.CaseId).Where(c => c is not null).Distinct())
        {
            await feed.PublishAsync(new CaseChanged(caseId!.Value, CaseChangeKind.Delivery, null, null));
        }
    }

    /// <summary>A change to a message's case by Amends itself (a failure, an automatic message sent), retried if a person changed the case meanwhile.</summary>
    private async Task OnCaseAsync(OutboundMessage m, Func<RecoveryCase, DateTimeOffset, Amends.Domain.Common.DomainError?> change, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var mutation = scope.ServiceProvider.GetRequiredService<CaseMutation>();
            var result = await mutation.ApplyAsync(m.CaseId!.Value.Value, null, CaseAccess.System, change, ct);
            if (result.IsSuccess || result.Error!.Kind != Amends.Domain.Common.ErrorKind.Conflict)
            {
                if (!result.IsSuccess)
                {
                    logger.LogWarning("Could not note message {MessageId} on case {CaseId}: {Error}", m.Id, m.CaseId, result.Error!.Message);
                }

                return;
            }
        }
    }

    private async Task<string?> ReasonAsync(Guid id)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        return await db.Outbox.Where(m => m.Id == id).Select(m => m.LastError).SingleOrDefaultAsync();
    }
}

/// <summary>Runs the dispatcher while there is due mail, then waits for a wake-up or the poll interval.</summary>
internal sealed class OutboxWorker(OutboxDispatcher dispatcher, OutboxSignal signal, IOptionsMonitor<OutboxOptions> options, ILogger<OutboxWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Enabled)
        {
            logger.LogInformation("Outbox delivery is disabled on this instance (Amends:Outbox:Enabled=false)");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await dispatcher.DeliverOnceAsync(stoppingToken) > 0)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The messages stay queued (their leases run out): one failure must not stop the host.
                logger.LogError(ex, "Outbox delivery failed; trying again shortly");
            }

            try
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(Math.Max(0.05, options.CurrentValue.PollSeconds)), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
