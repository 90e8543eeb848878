using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Amends.Web.Infrastructure;

/// <summary>
/// <c>Idempotency-Key</c> on API POSTs: the first request with a key runs and its response is stored; a replay with
/// the same key and the same request gets that response back and creates nothing; the same key with another
/// request is refused (422); a replay while the first is still running gets 409. A 5xx is not kept, so it can be retried.
/// <para>
/// Crash safety: the running request holds a short lease on the key and renews it. When an instance dies between
/// recording the key and storing the response, the lease lapses and a retry takes the key over and runs again. A handler
/// that creates a row keys it by <see cref="IdempotentRequest.RowKey"/> under a unique index, so the second run finds
/// what the first one committed instead of creating it twice (see <c>OpenCase</c>).
/// </para>
/// Uses its own DbContext so a failed write of the handler never leaks into the record.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, IServiceScopeFactory scopes, TimeProvider time, IOptions<AmendsOptions> options)
{
    public const string HeaderName = "Idempotency-Key";
    private const int MaxKeyLength = 200;

    private TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(1, options.Value.IdempotencyLeaseSeconds));

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method)
            || !context.Request.Path.StartsWithSegments("/api")
            || !context.Request.Headers.TryGetValue(HeaderName, out var values))
        {
            await next(context);
            return;
        }

        var key = values.ToString().Trim();
        if (key.Length is 0 or > MaxKeyLength)
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "idempotency.key_invalid",
                $"The {HeaderName} header must be 1 to {MaxKeyLength} characters.");
            return;
        }

        var scope = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";
        var requestHash = await HashRequestAsync(context.Request);
        var holder = Guid.NewGuid().ToString("N");

        await using var serviceScope = scopes.CreateAsyncScope();
        var db = serviceScope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        db.IdempotencyRecords.Add(new IdempotencyRecord
        {
            Scope = scope,
            Key = key,
            RequestHash = requestHash,
            CreatedAt = now,
            LeaseUntil = now + Lease,
            Holder = holder,
        });
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var existing = await db.IdempotencyRecords.AsNoTracking()
                .SingleOrDefaultAsync(r => r.Scope == scope && r.Key == key, context.RequestAborted);
            if (existing is null)
            {
                // The first attempt failed with a 5xx and let go of the key a moment ago: it is free to retry now.
                context.Response.Headers.RetryAfter = "1";
                await WriteProblemAsync(context, StatusCodes.Status409Conflict, "idempotency.in_progress",
                    "The first request with this key has just ended. Retry in a moment.");
                return;
            }

            if (!await TakeOverAsync(db, existing, requestHash, holder, context.RequestAborted))
            {
                await ReplayAsync(context, existing, requestHash);
                return;
            }
        }

        var mine = db.IdempotencyRecords.Where(r => r.Scope == scope && r.Key == key && r.Holder == holder);
        context.Features.Set(new IdempotentRequest(scope, key));
        var originalBody = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        using var running = new CancellationTokenSource();
        var renewal = RenewAsync(scope, key, holder, running.Token);
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = originalBody;
            await StopAsync(running, renewal);
            await mine.ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }

        await StopAsync(running, renewal);
        context.Response.Body = originalBody;
        if (context.Response.StatusCode >= 500)
        {
            await mine.ExecuteDeleteAsync(CancellationToken.None);
        }
        else
        {
            var status = context.Response.StatusCode;
            var contentType = context.Response.ContentType;
            var location = context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null;
            var body = buffer.ToArray();
            await mine.ExecuteUpdateAsync(set => set
                .SetProperty(r => r.ResponseStatus, status)
                .SetProperty(r => r.ContentType, contentType)
                .SetProperty(r => r.Location, location)
                .SetProperty(r => r.ResponseBody, body), CancellationToken.None);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(originalBody, context.RequestAborted);
    }

    /// <summary>
    /// Takes over a record whose request stopped running (lease lapsed, no response): one atomic update, so of several
    /// retries arriving together exactly one wins and the others are told it is in progress.
    /// </summary>
    private async Task<bool> TakeOverAsync(AmendsDbContext db, IdempotencyRecord existing, string requestHash, string holder, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (existing.ResponseStatus != 0 || existing.LeaseUntil >= now || existing.RequestHash != requestHash)
        {
            return false;
        }

        var until = now + Lease;
        var taken = await db.IdempotencyRecords
            .Where(r => r.Scope == existing.Scope && r.Key == existing.Key && r.ResponseStatus == 0 && r.Holder == existing.Holder && r.LeaseUntil < now)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Holder, holder).SetProperty(r => r.LeaseUntil, until), ct);
        return taken == 1;
    }

    /// <summary>Keeps the lease alive while the request runs; most requests end long before the first renewal.</summary>
    private async Task RenewAsync(string scope, string key, string holder, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Lease / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await using var renewScope = scopes.CreateAsyncScope();
                var db = renewScope.ServiceProvider.GetRequiredService<AmendsDbContext>();
                var until = time.GetUtcNow().UtcDateTime + Lease;
                await db.IdempotencyRecords.Where(r => r.Scope == scope && r.Key == key && r.Holder == holder && r.ResponseStatus == 0)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseUntil, until), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The request ended: nothing left to renew.
        }
    }

    private static async Task StopAsync(CancellationTokenSource running, Task renewal)
    {
        await running.CancelAsync();
        await renewal;
    }

    private async Task ReplayAsync(HttpContext context, IdempotencyRecord existing, string requestHash)
    {
        if (!string.Equals(existing.RequestHash, requestHash, StringComparison.Ordinal))
        {
            await WriteProblemAsync(context, StatusCodes.Status422UnprocessableEntity, "idempotency.key_reused",
                $"This {HeaderName} was used before with a different request. Use a new key for a new request.");
            return;
        }

        if (existing.ResponseStatus == 0)
        {
            var wait = existing.LeaseUntil - time.GetUtcNow().UtcDateTime;
            context.Response.Headers.RetryAfter = Math.Clamp((int)Math.Ceiling(wait.TotalSeconds), 1, (int)Lease.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteProblemAsync(context, StatusCodes.Status409Conflict, "idempotency.in_progress",
                "The first request with this key is still being processed. Retry in a moment.");
            return;
        }

        context.Response.StatusCode = existing.ResponseStatus;
        if (existing.ContentType is not null)
        {
            context.Response.ContentType = existing.ContentType;
        }

        if (existing.Location is not null)
        {
            context.Response.Headers.Location = existing.Location;
        }

        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (existing.ResponseBody is { Length: > 0 } body)
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static async Task<string> HashRequestAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string code, string detail) =>
        ApiProblems.WriteAsync(context, status, code, status == 409 ? "Conflict with the current state" : "The request is not valid", detail);
}

/// <summary>The idempotency key a request runs under, for handlers that key the row they create by it.</summary>
public sealed record IdempotentRequest(string Scope, string Key)
{
    /// <summary>SHA-256 of scope and key, hex: fixed length, and the raw key never stored on the business row.</summary>
    public string RowKey => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Scope + "\n" + Key)));
}
