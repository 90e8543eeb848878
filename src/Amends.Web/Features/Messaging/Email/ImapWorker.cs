using System.Data.Common;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Amends.Web.Features.Messaging.Transports;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Messaging.Email;

/// <summary>What the mailbox reader last managed, for the readiness check and the logs.</summary>
public sealed class MailboxStatus
{
    public DateTimeOffset? LastReadAt { get; set; }

    public DateTimeOffset? LastFailureAt { get; set; }

    public string? LastFailure { get; set; }

    private long _taken;

    public long MessagesTaken => Interlocked.Read(ref _taken);

    public void Took() => Interlocked.Increment(ref _taken);
}

/// <summary>
/// Reads the support mailbox (<c>Amends:Email:Imap</c>) with MailKit: every message after the last UID stored for the
/// folder is taken by <see cref="EmailIntake"/>, in order, and the folder's cursor moves on after each one. Then it
/// waits in IDLE where the server has it (a new message wakes it at once), else polls every <c>PollSeconds</c>. A lost
/// connection is made again with a growing pause (1 s, doubling to <c>LongestRetrySeconds</c>). Messages are only read, never changed or deleted on the server.
/// Processing is once per message however it goes: the cursor may lag (a crash, two instances), the Message-ID's
/// unique index does not.
/// </summary>
internal sealed class ImapWorker(
    IServiceScopeFactory scopes,
    IOptionsMonitor<EmailOptions> options,
    MailboxStatus status,
    TimeProvider time,
    ILogger<ImapWorker> logger) : BackgroundService
{
    private readonly Dictionary<uint, int> _failures = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Imap.Configured)
        {
            return;
        }

        var pause = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReadAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A connection that had been reading well starts again from a short pause.
                if (status.LastReadAt is { } read && (status.LastFailureAt is null || read > status.LastFailureAt))
                {
                    pause = TimeSpan.FromSeconds(1);
                }

                status.LastFailureAt = time.GetUtcNow();
                status.LastFailure = ex.Message;
                logger.LogWarning(ex, "Reading the support mailbox failed; connecting again in {Pause}", pause);
                try
                {
                    await Task.Delay(pause, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                pause = TimeSpan.FromSeconds(Math.Min(Math.Max(1, options.CurrentValue.Imap.LongestRetrySeconds), pause.TotalSeconds * 2));
                continue;
            }
        }
    }

    private async Task ReadAsync(CancellationToken ct)
    {
        var imap = options.CurrentValue.Imap;
        using var client = new ImapClient();
        await client.ConnectAsync(imap.Host!, Port(imap), SmtpTransport.Secure(imap.Security), ct);
        if (!string.IsNullOrEmpty(imap.Username))
        {
            await client.AuthenticateAsync(imap.Username, imap.Password ?? "", ct);
        }

        var folder = await client.GetFolderAsync(imap.Folder, ct);
        await folder.OpenAsync(FolderAccess.ReadOnly, ct);
        var mailbox = $"{imap.Username}@{imap.Host}:{Port(imap)}/{imap.Folder}";
        logger.LogInformation("Reading the support mailbox {Mailbox} ({Mode})", mailbox, client.Capabilities.HasFlag(ImapCapabilities.Idle) ? "IDLE" : "polling");
        while (!ct.IsCancellationRequested)
        {
            await TakeNewAsync(folder, mailbox, ct);
            status.LastReadAt = time.GetUtcNow();
            await WaitAsync(client, folder, TimeSpan.FromSeconds(Math.Max(0.1, imap.PollSeconds)), ct);
        }

        await client.DisconnectAsync(true, CancellationToken.None);
    }

    /// <summary>Takes every message after the folder's cursor, in UID order; the cursor moves after each one stored.</summary>
    private async Task TakeNewAsync(IMailFolder folder, string mailbox, CancellationToken ct)
    {
        var validity = folder.UidValidity;
        var last = await CursorAsync(mailbox, validity, ct);
        var uids = await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId(validity, (uint)Math.Min(uint.MaxValue - 1, last + 1)), UniqueId.MaxValue)), ct);
        foreach (var uid in uids.Where(u => u.Id > last).OrderBy(u => u.Id))
        {
            var message = await folder.GetMessageAsync(uid, ct);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<EmailIntake>().ProcessAsync(message, ct);
                status.Took();
                logger.LogInformation("E-mail {MessageId} from the mailbox: {State}{Seen}", message.MessageId, result.State, result.Seen ? " (seen before)" : "");
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or DbException or DbUpdateException or TimeoutException) && Poison(uid))
            {
                // One message that cannot be taken must not stop the mailbox: after three tries it is left on the server.
                logger.LogError(ex, "E-mail {MessageId} (UID {Uid}) could not be taken after three tries and is skipped; it stays in the mailbox", message.MessageId, uid.Id);
            }

            await MoveCursorAsync(mailbox, validity, uid.Id, ct);
        }
    }

    private bool Poison(UniqueId uid)
    {
        _failures[uid.Id] = _failures.GetValueOrDefault(uid.Id) + 1;
        return _failures[uid.Id] >= 3;
    }

    private static async Task WaitAsync(ImapClient client, IMailFolder folder, TimeSpan period, CancellationToken ct)
    {
        if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            await Task.Delay(period, ct);
            await client.NoOpAsync(ct);
            return;
        }

        using var done = new CancellationTokenSource(period);
        void Arrived(object? sender, EventArgs e) => done.Cancel();
        folder.CountChanged += Arrived;
        try
        {
            await client.IdleAsync(done.Token, ct);
        }
        finally
        {
            folder.CountChanged -= Arrived;
        }
    }

    private async Task<long> CursorAsync(string mailbox, uint validity, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var cursor = await db.MailboxCursors.AsNoTracking().SingleOrDefaultAsync(c => c.Mailbox == mailbox, ct);

        // A new UIDVALIDITY renumbered the folder: read it all again (what was stored is recognised by its Message-ID).
        return cursor is not null && cursor.UidValidity == validity ? cursor.LastUid : 0;
    }

    private async Task MoveCursorAsync(string mailbox, uint validity, uint uid, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var moved = await db.MailboxCursors.Where(c => c.Mailbox == mailbox && (c.UidValidity != validity || c.LastUid < uid)).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.UidValidity, (long)validity).SetProperty(c => c.LastUid, (long)uid).SetProperty(c => c.UpdatedAt, now), ct);
        if (moved == 0 && !await db.MailboxCursors.AnyAsync(c => c.Mailbox == mailbox, ct))
        {
            db.MailboxCursors.Add(new MailboxCursor { Mailbox = mailbox, UidValidity = validity, LastUid = uid, UpdatedAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another instance wrote the first cursor at the same moment: its next move will carry this one's too.
            }
        }
    }

    public static int Port(MailServerOptions imap) => imap.Port ?? (imap.Security == MailSecurity.Tls ? 993 : 143);
}

/// <summary>Readiness: with a mailbox configured, Degraded while reading it fails (the last attempt failed after the last good read), with the reason.</summary>
internal sealed class MailboxHealthCheck(MailboxStatus status, IOptionsMonitor<EmailOptions> options) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.CurrentValue.Imap.Configured)
        {
            return Task.FromResult(Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("No support mailbox configured (Amends:Email:Imap:Host)"));
        }

        return Task.FromResult(status.LastFailureAt is { } failed && (status.LastReadAt is null || status.LastReadAt < failed)
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded($"Reading the support mailbox fails: {status.LastFailure}")
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(status.LastReadAt is { } at
                ? $"Support mailbox read at {at:yyyy-MM-dd HH:mm:ss} UTC, {status.MessagesTaken} message(s) taken since start"
                : "Connecting to the support mailbox"));
    }
}
