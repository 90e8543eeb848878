using System.Security.Claims;
using System.Threading.RateLimiting;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Messaging;

public static class StatusEndpoints
{
    public const string RateLimitPolicy = "customer-pages";

    /// <summary>
    /// The customer's pages (status and follow-up) are open to anyone with a link: each client address may load or post
    /// them <c>Amends:Status:PerAddressPerMinute</c> times a minute (default 120), then gets a 429.
    /// </summary>
    public static IServiceCollection AddCustomerPageRateLimit(this IServiceCollection services, IConfiguration configuration)
    {
        var perMinute = Math.Max(1, configuration.GetValue("Amends:Status:PerAddressPerMinute", 120));
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path.StartsWithSegments("/status") || http.Request.Path.StartsWithSegments("/feedback")
                    ? RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter("staff"));
        });
    }

    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cases/{id:guid}/status-link", async (Guid id, StatusLinks links, AmendsDbContext db, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var c = await db.Cases.AsNoTracking().SingleOrDefaultAsync(x => x.Id == new CaseId(id), ct);
                if (c is null)
                {
                    return DomainError.NotFound("case.not_found", $"There is no case {id}.").ToProblem();
                }

                return CaseAccess.For(user, CaseRule.Work).Check(c) is { } forbidden ? forbidden.ToProblem() : Results.Ok(links.For(c.Id));
            })
            .RequireAuthorization(Policies.Agent)
            .WithTags("Messages").WithName("StatusLink")
            .WithSummary("The customer's signed, expiring link to their case's status page (every message carries one); for the case's owner, their cover and supervisors");

        // The page's forms post here; opening the page never changes anything, so link scanners change nothing.
        app.MapPost("/status/{token}/reply", async (string token, [FromForm] string? text, StatusLinks links, CustomerStatus status, CancellationToken ct) =>
            {
                if (links.CaseOf(token) is not { } caseId)
                {
                    return Back(token, null);
                }

                var trimmed = text?.Trim();
                if (string.IsNullOrEmpty(trimmed))
                {
                    return Back(token, "error=empty");
                }

                var result = await status.ReplyAsync(caseId, trimmed.Length > RecoveryCase.MaxTextLength ? trimmed[..RecoveryCase.MaxTextLength] : trimmed, ct);
                return Back(token, result.IsSuccess ? "sent=1" : "error=reply");
            })
            .AllowAnonymous().ExcludeFromDescription();

        // Choosing is two steps: the choice, then a confirmation of it.
        app.MapPost("/status/{token}/choose", (string token, [FromForm] Guid? offerId, [FromForm] Guid? optionId, StatusLinks links) =>
                links.CaseOf(token) is null || offerId is null || optionId is null
                    ? Back(token, links.CaseOf(token) is null ? null : "error=choice")
                    : Back(token, $"offer={offerId}&option={optionId}"))
            .AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/status/{token}/choose/confirm", async (string token, [FromForm] Guid? offerId, [FromForm] Guid? optionId, StatusLinks links, CustomerStatus status, CancellationToken ct) =>
            {
                if (links.CaseOf(token) is not { } caseId)
                {
                    return Back(token, null);
                }

                if (offerId is null || optionId is null)
                {
                    return Back(token, "error=choice");
                }

                var result = await status.ChooseAsync(caseId, offerId.Value, optionId.Value, ct);
                return Back(token, result.IsSuccess ? "chosen=1" : "error=choice");
            })
            .AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/status/{token}/unsubscribe", async (string token, StatusLinks links, CustomerStatus status, CancellationToken ct) =>
            {
                if (links.CaseOf(token) is not { } caseId)
                {
                    return Back(token, null);
                }

                var result = await status.OptOutAsync(caseId, "on their status page", ct);
                return Back(token, result.IsSuccess ? "optedout=1" : "error=optout");
            })
            .AllowAnonymous().ExcludeFromDescription();

        // RFC 8058 one-click unsubscribe: a mail program posts "List-Unsubscribe=One-Click" here with no page and no
        // antiforgery token. Link scanners only GET, so they cannot opt anyone out.
        app.MapPost("/status/{token}/unsubscribe/one-click", async (string token, StatusLinks links, CustomerStatus status, CancellationToken ct) =>
            {
                if (links.CaseOf(token) is not { } caseId)
                {
                    return Results.NotFound();
                }

                var result = await status.OptOutAsync(caseId, "with one click in their mail program", ct);
                return result.IsSuccess ? Results.Ok() : Results.StatusCode(StatusCodes.Status500InternalServerError);
            })
            .AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();

        app.MapPost("/api/channels/{channel}/inbound", ReceiveAsync)
            .AllowAnonymous()
            .WithTags("Messages").WithName("ChannelInbound")
            .WithSummary("A customer's message from a webhook channel: {externalId, from, text, occurredAt, caseNumber?}, accepted only with a valid, "
                + "fresh Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) made with Amends:Channels:{channel}:Secret; "
                + "a replayed webhook-id or a timestamp more than 5 minutes off is refused. The same externalId again returns the first result.");

        app.MapPost("/api/channels/{channel}/status", DeliveryStatusAsync)
            .AllowAnonymous()
            .WithTags("Messages").WithName("ChannelDeliveryStatus")
            .WithSummary("What a webhook channel knows of a message we sent it: {messageId, status: Delivered|Failed, reason?}, signed as inbound messages are. "
                + "Delivered marks a sent message delivered; Failed fails it for good with the reason, on the case's timeline. Reporting a state again changes nothing.");

        return app;
    }

    /// <summary>How far a webhook's timestamp may be from our clock.</summary>
    public static readonly TimeSpan WebhookTolerance = TimeSpan.FromMinutes(5);

    /// <summary>A signed delivery from a webhook channel: its body and id when the signature is good and fresh, else why not.</summary>
    private sealed record Signed(string Channel, WebhookChannelOptions Options, string Body, string Id);

    private static async Task<(Signed? Delivery, IResult? Refused)> VerifyAsync(string channel, HttpContext http, ChannelRouter router, TimeProvider time, CancellationToken ct)
    {
        var name = channel.ToLowerInvariant();
        if (!router.WebhookChannels().TryGetValue(name, out var options) || string.IsNullOrWhiteSpace(options.Secret))
        {
            return (null, DomainError.NotFound("channel.not_found", $"There is no channel '{channel}' with a secret configured.").ToProblem());
        }

        using var reader = new StreamReader(http.Request.Body, System.Text.Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        var id = http.Request.Headers["webhook-id"].ToString();
        if (!long.TryParse(http.Request.Headers["webhook-timestamp"].ToString(), out var seconds)
            || (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, -62135596800, 253402300799))).Duration() > WebhookTolerance)
        {
            return (null, Unauthorized("webhook.timestamp_stale", "webhook-timestamp is missing or more than 5 minutes from now."));
        }

        try
        {
            new StandardWebhooks.StandardWebhook(options.Secret).Verify(body, http.Request.Headers);
        }
        catch (Exception ex) when (ex is StandardWebhooks.Diagnostics.WebhookVerificationException or FormatException or ArgumentException)
        {
            return (null, Unauthorized("webhook.signature_invalid", "The webhook-signature does not match this channel's secret."));
        }

        if (string.IsNullOrWhiteSpace(id) || id.Length > 300)
        {
            return (null, Unauthorized("webhook.id_missing", "A webhook-id header is required."));
        }

        return (new Signed(name, options, body, id), null);
    }

    private static T? Parse<T>(string body)
        where T : class
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(body, Json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem? Invalid(object request)
    {
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        return System.ComponentModel.DataAnnotations.Validator.TryValidateObject(request, new(request), errors, validateAllProperties: true)
            ? null
            : TypedResults.ValidationProblem(errors.SelectMany(e => e.MemberNames.Select(m => (Field: char.ToLowerInvariant(m[0]) + m[1..], e.ErrorMessage)))
                .GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage ?? "Invalid.").ToArray()));
    }

    private static async Task<IResult> DeliveryStatusAsync(string channel, HttpContext http, ChannelRouter router, DeliveryReports reports, TimeProvider time, CancellationToken ct)
    {
        var (signed, refused) = await VerifyAsync(channel, http, router, time, ct);
        if (signed is null)
        {
            return refused!;
        }

        if (Parse<DeliveryReport>(signed.Body) is not { } report)
        {
            return DomainError.Invalid("delivery.body_invalid", "body", "The body is a JSON object {messageId, status: Delivered|Failed, reason?}.").ToProblem();
        }

        if (Invalid(report) is { } invalid)
        {
            return invalid;
        }

        var result = await reports.ReportAsync(signed.Channel, report, ct);
        return result.IsSuccess ? Results.Ok(result.Value) : result.Error!.ToProblem();
    }

    private static async Task<IResult> ReceiveAsync(string channel, HttpContext http, ChannelRouter router, Inbound inbound, TimeProvider time, CancellationToken ct)
    {
        var (signed, refused) = await VerifyAsync(channel, http, router, time, ct);
        if (signed is null)
        {
            return refused!;
        }

        var (name, options, body, id) = (signed.Channel, signed.Options, signed.Body, signed.Id);
        if (await inbound.SeenAsync(name, id, ct))
        {
            return DomainError.Conflict("webhook.replayed", "This webhook-id was received already.").ToProblem();
        }

        if (Parse<InboundRequest>(body) is not { } request)
        {
            return DomainError.Invalid("inbound.body_invalid", "body", "The body is a JSON object {externalId, from, text, occurredAt, caseNumber?}.").ToProblem();
        }

        if (Invalid(request) is { } invalid)
        {
            return invalid;
        }

        var result = await inbound.ReceiveAsync(name, options.KindFor(name), request, id, ct);
        return result.IsSuccess ? Results.Ok(result.Value) : result.Error!.ToProblem();
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(allowIntegerValues: false) },
    };

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unauthorized(string code, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Webhook not accepted", extensions: new Dictionary<string, object?> { ["code"] = code });

    private static IResult Back(string token, string? query) =>
        Results.Redirect($"/status/{Uri.EscapeDataString(token)}" + (query is null ? "" : "?" + query));
}
