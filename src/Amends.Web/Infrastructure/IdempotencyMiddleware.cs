using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Infrastructure;

/// <summary>
/// <c>Idempotency-Key</c> on API POSTs: the first request with a key runs and its response is stored; a replay with
/// the same key and the same request gets that response back and creates nothing; the same key with another
/// request is refused (422); a replay while the first is still running gets 409. A 5xx is not kept, so it can be retried.
/// Uses its own DbContext so a failed write of the handler never leaks into the record.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, IServiceScopeFactory scopes, TimeProvider time)
{
    public const string HeaderName = "Idempotency-Key";
    private const int MaxKeyLength = 200;

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

        await using var serviceScope = scopes.CreateAsyncScope();
        var db = serviceScope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var record = new IdempotencyRecord
        {
            Scope = scope,
            Key = key,
            RequestHash = requestHash,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.IdempotencyRecords.Add(record);
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var existing = await db.IdempotencyRecords.AsNoTracking()
                .SingleAsync(r => r.Scope == scope && r.Key == key, context.RequestAborted);
            await ReplayAsync(context, existing, requestHash);
            return;
        }

        var originalBody = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = originalBody;
            await db.IdempotencyRecords.Where(r => r.Scope == scope && r.Key == key).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }

        context.Response.Body = originalBody;
        if (context.Response.StatusCode >= 500)
        {
            await db.IdempotencyRecords.Where(r => r.Scope == scope && r.Key == key).ExecuteDeleteAsync(CancellationToken.None);
        }
        else
        {
            record.ResponseStatus = context.Response.StatusCode;
            record.ContentType = context.Response.ContentType;
            record.Location = context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null;
            record.ResponseBody = buffer.ToArray();
            await db.SaveChangesAsync(CancellationToken.None);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(originalBody, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord existing, string requestHash)
    {
        if (!string.Equals(existing.RequestHash, requestHash, StringComparison.Ordinal))
        {
            await WriteProblemAsync(context, StatusCodes.Status422UnprocessableEntity, "idempotency.key_reused",
                $"This {HeaderName} was used before with a different request. Use a new key for a new request.");
            return;
        }

        if (existing.ResponseStatus == 0)
        {
            context.Response.Headers.RetryAfter = "1";
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

    private static Task WriteProblemAsync(HttpContext context, int status, string code, string detail)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = status == 409 ? "Conflict with the current state" : "The request is not valid",
            Detail = detail,
            Type = $"https://amends.dev/problems/{code}",
            Extensions = { ["code"] = code },
        };
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}
