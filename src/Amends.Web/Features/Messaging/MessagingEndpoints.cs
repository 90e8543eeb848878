using System.Security.Claims;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Amends.Web.Features.Messaging;

public static class MessagingEndpoints
{
    public static IEndpointRouteBuilder MapMessagingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/cases/{id:guid}/replies", async Task<Results<Created<ReplyResult>, ProblemHttpResult>> (
                Guid id, ReplyRequest request, Replies replies, ClaimsPrincipal user, HttpContext http,
                [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            {
                var version = CaseMutation.ParseIfMatch(ifMatch);
                if (!version.IsSuccess)
                {
                    return version.Error!.ToProblem();
                }

                var result = await replies.SendAsync(id, request, user.ToActor(), CaseAccess.For(user, CaseRule.Work), version.Value, ct);
                if (!result.IsSuccess)
                {
                    return result.Error!.ToProblem();
                }

                http.Response.Headers.ETag = $"\"{result.Value.Case.Version}\"";
                return TypedResults.Created(result.Value.Message is { } m ? $"/api/outbox/{m.Id}" : $"/api/cases/{id}", result.Value);
            })
            .RequireAuthorization(Policies.Agent)
            .WithTags("Messages").WithName("SendReply")
            .WithSummary("Reply to the customer through the outbox, on the case's channel of origin unless channel says otherwise "
                + "(another channel than that or the customer's preferred one needs consent: how the customer agreed). On Phone, logs the call.");

        var outbox = app.MapGroup("/api/outbox").WithTags("Messages").RequireAuthorization(Policies.Supervisor);
        outbox.MapGet("/", async Task<Results<Ok<Cases.Paged<OutboxItem>>, ProblemHttpResult>> (
                Outbox box, CancellationToken ct, string? state = null, string? route = null, Guid? caseId = null, int page = 1, int pageSize = 50) =>
            Respond(await box.ListAsync(state, route, caseId, page, pageSize, ct)))
            .WithName("ListOutbox").WithSummary("Messages to customers, newest first; state=Queued|Held|Sent|Delivered|Failed|Cancelled (one or a comma list), with the reason of each failure");
        outbox.MapGet("/{id:guid}", async Task<Results<Ok<OutboxMessage>, ProblemHttpResult>> (Guid id, Outbox box, CancellationToken ct) =>
            Respond(await box.GetAsync(id, null, ct)))
            .WithName("GetOutboxMessage").WithSummary("One message in full, with its headers and attachments");
        outbox.MapPost("/{id:guid}/retry", async Task<Results<Ok<OutboxItem>, ProblemHttpResult>> (Guid id, Outbox box,
                [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            await ChangeAsync(box, id, ifMatch, null, (m, now) => m.Retry(now), ct))
            .RequireAuthorization(Policies.Admin)
            .WithName("RetryOutboxMessage").WithSummary("Send a failed or cancelled message again, from a fresh count of attempts (admins)");
        outbox.MapPost("/{id:guid}/cancel", async Task<Results<Ok<OutboxItem>, ProblemHttpResult>> (Guid id, Outbox box,
                [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            await ChangeAsync(box, id, ifMatch, null, (m, now) => m.Cancel(now), ct))
            .RequireAuthorization(Policies.Admin)
            .WithName("CancelOutboxMessage").WithSummary("Stop a message that has not gone yet (admins)");

        var own = app.MapGroup("/api/outbox").WithTags("Messages").RequireAuthorization(Policies.Agent);
        own.MapPost("/{id:guid}/hold", async Task<Results<Ok<OutboxItem>, ProblemHttpResult>> (Guid id, Outbox box, ClaimsPrincipal user,
                [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            await ChangeAsync(box, id, ifMatch, CaseAccess.For(user, CaseRule.Work), (m, now) => m.Hold(now), ct))
            .WithName("HoldOutboxMessage").WithSummary("Keep a queued message back (the case's owner, their cover or a supervisor)");
        own.MapPost("/{id:guid}/release", async Task<Results<Ok<OutboxItem>, ProblemHttpResult>> (Guid id, Outbox box, ClaimsPrincipal user,
                [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            await ChangeAsync(box, id, ifMatch, CaseAccess.For(user, CaseRule.Work), (m, now) => m.Release(now), ct))
            .WithName("ReleaseOutboxMessage").WithSummary("Let a held message go now");

        var mailbox = app.MapGroup("/api/mailbox").WithTags("Messages").RequireAuthorization(Policies.Agent);
        mailbox.MapGet("/", async Task<Results<Ok<Cases.Paged<OutboxItem>>, ProblemHttpResult>> (Outbox box, CancellationToken ct, int page = 1, int pageSize = 50) =>
            Respond(await box.ListAsync(null, Routes.Mailbox, null, page, pageSize, ct)))
            .WithName("ListMailbox").WithSummary("The built-in Mailbox: messages that went to it because no real channel is configured for them");
        mailbox.MapGet("/{id:guid}", async Task<Results<Ok<OutboxMessage>, ProblemHttpResult>> (Guid id, Outbox box, CancellationToken ct) =>
            Respond(await box.GetAsync(id, Routes.Mailbox, ct)))
            .WithName("GetMailboxMessage").WithSummary("One Mailbox message as the customer would see it");

        return app;
    }

    private static async Task<Results<Ok<OutboxItem>, ProblemHttpResult>> ChangeAsync(Outbox box, Guid id, string? ifMatch, CaseAccess? access,
        Func<OutboundMessage, DateTimeOffset, Amends.Domain.Common.DomainError?> change, CancellationToken ct)
    {
        var version = CaseMutation.ParseIfMatch(ifMatch);
        return version.IsSuccess ? Respond(await box.ChangeAsync(id, version.Value, access, change, ct)) : version.Error!.ToProblem();
    }

    private static Results<Ok<T>, ProblemHttpResult> Respond<T>(Amends.Domain.Common.Result<T> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
}
