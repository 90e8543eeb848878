using Amends.Domain.Common;

namespace Amends.Web.Infrastructure;

public enum CaseChangeKind
{
    Created,
    Updated,

    /// <summary>Only the delivery state of a message on the case changed (queued → sent …); the case itself did not.</summary>
    Delivery,
}

/// <summary>A case arrived or changed; the inbox and open workspaces refresh on it.</summary>
public sealed record CaseChanged(CaseId CaseId, CaseChangeKind Kind, TeamId? TeamId, UserId? OwnerId);

/// <summary>
/// The one in-process feed of case changes. Handlers publish after a successful save; Blazor components subscribe.
/// With several instances on PostgreSQL, <see cref="PostgresChangeRelay"/> carries each change to every instance.
/// </summary>
public sealed class CaseChangeFeed
{
    private readonly Lock _gate = new();
    private readonly List<Action<CaseChanged>> _subscribers = [];

    /// <summary>Set when the database relays changes between instances; then local publishes go through it.</summary>
    internal Func<CaseChanged, Task>? Relay { get; set; }

    /// <summary>
    /// Calls <paramref name="handler"/> on every change. Delivery-only changes (a message went from queued to sent) reach only
    /// subscribers that ask for them: the case itself did not change, so lists and queues need not reload.
    /// </summary>
    public IDisposable Subscribe(Action<CaseChanged> handler, bool deliveries = false)
    {
        if (!deliveries)
        {
            var inner = handler;
            handler = change =>
            {
                if (change.Kind != CaseChangeKind.Delivery)
                {
                    inner(change);
                }
            };
        }

        lock (_gate)
        {
            _subscribers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    public async Task PublishAsync(CaseChanged change)
    {
        if (Relay is { } relay)
        {
            await relay(change);
            return;
        }

        Deliver(change);
    }

    /// <summary>Hands a change to this instance's subscribers.</summary>
    internal void Deliver(CaseChanged change)
    {
        Action<CaseChanged>[] targets;
        lock (_gate)
        {
            targets = [.. _subscribers];
        }

        foreach (var target in targets)
        {
            target(change);
        }
    }

    private sealed class Subscription(CaseChangeFeed feed, Action<CaseChanged> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._gate)
            {
                feed._subscribers.Remove(handler);
            }
        }
    }
}
