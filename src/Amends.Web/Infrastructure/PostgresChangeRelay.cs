using System.Text.Json;
using Amends.Domain.Common;
using Npgsql;

namespace Amends.Web.Infrastructure;

/// <summary>
/// Scale-out: every instance LISTENs on one channel and each change is NOTIFYed through PostgreSQL, so the UI of
/// every instance sees every change, whichever instance made it.
/// </summary>
internal sealed class PostgresChangeRelay(CaseChangeFeed feed, NpgsqlDataSource dataSource, ILogger<PostgresChangeRelay> logger)
    : BackgroundService
{
    private const string ChannelName = "amends_case_changes";

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        feed.Relay = NotifyAsync;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException ex)
            {
                logger.LogWarning(ex, "Lost the PostgreSQL change feed; reconnecting in 2 s");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async Task NotifyAsync(CaseChanged change)
    {
        var payload = JsonSerializer.Serialize(new Wire(change.CaseId.Value, change.Kind, change.TeamId?.Value, change.OwnerId?.Value));
        await using var command = dataSource.CreateCommand("SELECT pg_notify(@channel, @payload)");
        command.Parameters.AddWithValue("channel", ChannelName);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteNonQueryAsync();
    }

    private void Receive(string payload)
    {
        var wire = JsonSerializer.Deserialize<Wire>(payload);
        if (wire is null)
        {
            return;
        }

        feed.Deliver(new CaseChanged(
            new CaseId(wire.CaseId),
            wire.Kind,
            wire.TeamId is { } team ? new TeamId(team) : null,
            wire.OwnerId is { } owner ? new UserId(owner) : null));
    }

    private sealed record Wire(Guid CaseId, CaseChangeKind Kind, Guid? TeamId, Guid? OwnerId);
}
