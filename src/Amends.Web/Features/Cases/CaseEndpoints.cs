using System.Security.Claims;
using Amends.Domain.Common;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Cases;

public static class CaseEndpoints
{
    public static IEndpointRouteBuilder MapCaseEndpoints(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/cases").WithTags("Cases").RequireAuthorization(Policies.Agent);

        cases.MapPost("/", async Task<Results<Created<CaseDetail>, ProblemHttpResult>> (
            OpenCaseRequest request, OpenCase handler, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        {
            var result = await handler.HandleAsync(request, user.ToActor(), ct, http.Features.Get<IdempotentRequest>()?.RowKey, user.IsSupervisor());
            if (!result.IsSuccess)
            {
                return result.Error!.ToProblem();
            }

            SetETag(http, result.Value.Version);
            return TypedResults.Created($"/api/cases/{result.Value.Id}", result.Value);
        })
        .WithName("OpenCase").WithSummary("Open a recovery case for a customer");

        cases.MapGet("/", async Task<Results<Ok<Paged<CaseListItem>>, ProblemHttpResult>> (
            [AsParameters] CaseFilter filter, ListCases handler, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var result = await handler.HandleAsync(filter, user.UserId(), ct);
            return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
        })
        .WithName("ListCases").WithSummary("List cases, most urgent first");

        cases.MapGet("/{id:guid}", async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> (
            Guid id, CaseReader reader, HttpContext http, CancellationToken ct) =>
            Respond(http, await reader.GetAsync(id, ct)))
        .WithName("GetCase").WithSummary("A case with its customer and latest timeline");

        cases.MapGet("/by-number/{number}", async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> (
            string number, CaseReader reader, HttpContext http, CancellationToken ct) =>
            Respond(http, await reader.GetByNumberAsync(number, ct)))
        .WithName("GetCaseByNumber").WithSummary("A case by its number, as in AM-10423 (the prefix is optional)");

        cases.MapGet("/{id:guid}/timeline", async Task<Results<Ok<Paged<TimelineItem>>, ProblemHttpResult>> (
            Guid id, CaseReader reader, CancellationToken ct, int page = 1, int pageSize = 100) =>
        {
            if (page < 1 || pageSize is < 1 or > 500)
            {
                return DomainError.Invalid("paging.invalid", "pageSize", "page starts at 1; pageSize is from 1 to 500.").ToProblem();
            }

            var result = await reader.TimelineAsync(id, page, pageSize, ct);
            return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
        })
        .WithName("GetCaseTimeline").WithSummary("A case's whole timeline, oldest first, page by page");

        cases.MapPost("/{id:guid}/assign", (Guid id, AssignOwnerRequest request, AssignOwner handler, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => handler.HandleAsync(id, request, version, user, ct)))
        .WithName("AssignOwner").WithSummary("Make a user the case's owner (single point of contact)");

        cases.MapPost("/{id:guid}/notes", (Guid id, AddNoteRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Note), (c, now) => c.AddNote(user.ToActor(), request.Body, now), ct)))
        .WithName("AddNote").WithSummary("Add an internal note (never shown to the customer)");

        cases.MapPost("/{id:guid}/messages", (Guid id, RecordMessageRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) => c.RecordMessage(
                request.Direction == MessageDirection.In, request.Channel ?? c.Channel, request.Body, user.ToActor(), now), ct)))
        .WithName("RecordMessage").WithSummary("Record a message from or to the customer on the timeline");

        cases.MapPost("/{id:guid}/severity", (Guid id, ChangeSeverityRequest request, CaseMutation mutation, AmendsDbContext db,
                ClaimsPrincipal user, HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), async (c, now) =>
            {
                var tier = await db.Customers.Where(x => x.Id == c.CustomerId).Select(x => x.Tier).SingleAsync(ct);
                return c.ChangeSeverity(request.Severity!.Value, tier, user.ToActor(), now);
            }, ct)))
        .WithName("ChangeSeverity").WithSummary("Change the severity; the priority follows");

        cases.MapPost("/{id:guid}/detection-verdict", (Guid id, DetectionVerdictRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Note), (c, now) =>
                c.JudgeDetection(request.Verdict!.Value, user.ToActor(), now), ct)))
        .WithName("JudgeDetection")
        .WithSummary("Say whether detection was right about a case it opened or flagged: Confirmed (the customer was unhappy) or NotAProblem; on the timeline, and what detection learns from");

        cases.MapPost("/{id:guid}/escalations", (Guid id, EscalateRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) =>
                c.Escalate(request.Reason ?? Amends.Domain.Cases.EscalationReason.OwnerAskedForHelp, request.Note, user.ToActor(), now), ct)))
        .WithName("EscalateCase").WithSummary("Ask the team supervisor to step in (the owner stays the customer's contact)");

        cases.MapPost("/{id:guid}/escalations/step-in", (Guid id, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) =>
                Escalations.RequireSupervisor(user) ?? c.StepIn(user.ToActor(), now), ct)))
        .RequireAuthorization(Policies.Supervisor)
        .WithName("StepIn").WithSummary("A supervisor takes an escalation on");

        cases.MapPost("/{id:guid}/escalations/hand-back", (Guid id, HandBackRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) =>
                Escalations.RequireSupervisor(user) ?? c.HandBack(user.ToActor(), request.Note, now), ct)))
        .RequireAuthorization(Policies.Supervisor)
        .WithName("HandBack").WithSummary("A supervisor hands the case back to its owner; the escalation ends");

        cases.MapPost("/{id:guid}/follow-up", (Guid id, FollowUpAnswer request, CaseMutation mutation, AmendsDbContext db, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), async (c, now) =>
            {
                var tier = await db.Customers.Where(x => x.Id == c.CustomerId).Select(x => x.Tier).SingleAsync(ct);
                return c.AnswerFollowUp(request.Score!.Value, request.Comment, tier, now, recordedBy: user.ToActor());
            }, ct)))
        .WithName("AnswerFollowUp").WithSummary("Record the satisfaction answer the customer gave staff (by phone, say): 4–5 closes as Recovered, 1–3 reopens at a "
            + "raised priority. The timeline and reports show it as recorded by you on the customer's behalf; the customer's own answer comes through their link.");

        cases.MapGet("/{id:guid}/templates", async Task<Results<Ok<IReadOnlyList<RenderedTemplate>>, ProblemHttpResult>> (
                Guid id, CaseTemplates templates, CancellationToken ct) =>
            {
                var result = await templates.RenderAsync(id, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .WithName("CaseTemplates").WithSummary("The case's playbook messages with merge fields filled in");

        cases.MapPost("/{id:guid}/checklist/{index:int}", (Guid id, int index, ChecklistStepRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) => c.SetStep(index, request.Done, user.ToActor(), now), ct)))
        .WithName("SetChecklistStep").WithSummary("Tick a playbook step off, or back on (index from 0)");

        cases.MapGet("/{id:guid}/promises", async Task<Results<Ok<IReadOnlyList<PromiseDto>>, ProblemHttpResult>> (
                Guid id, Promises promises, CancellationToken ct) =>
            {
                var result = await promises.ListAsync(id, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .WithName("ListPromises").WithSummary("Promises made to the customer on this case");

        cases.MapPost("/{id:guid}/promises", async Task<Results<Created<PromiseDto>, ProblemHttpResult>> (
                Guid id, MakePromiseRequest request, Promises promises, ClaimsPrincipal user, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            {
                var version = CaseMutation.ParseIfMatch(ifMatch);
                if (!version.IsSuccess)
                {
                    return version.Error!.ToProblem();
                }

                var result = await promises.MakeAsync(id, request, user.ToActor(), CaseAccess.For(user, CaseRule.Work), version.Value, ct);
                return result.IsSuccess ? TypedResults.Created($"/api/cases/{id}/promises/{result.Value.Id}", result.Value) : result.Error!.ToProblem();
            })
            .WithName("MakePromise").WithSummary("Record an ETA told to the customer; the owner is reminded before it falls due");

        cases.MapPost("/{id:guid}/promises/{promiseId:guid}/kept", async Task<Results<Ok<PromiseDto>, ProblemHttpResult>> (
                Guid id, Guid promiseId, Promises promises, ClaimsPrincipal user, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            {
                var version = CaseMutation.ParseIfMatch(ifMatch);
                if (!version.IsSuccess)
                {
                    return version.Error!.ToProblem();
                }

                var result = await promises.KeepAsync(id, promiseId, user.ToActor(), CaseAccess.For(user, CaseRule.Work), version.Value, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .WithName("KeepPromise").WithSummary("Record that a promise was kept");

        var escalations = app.MapGroup("/api/escalations").WithTags("Cases").RequireAuthorization(Policies.Supervisor);
        escalations.MapGet("/", async (Escalations handler, CancellationToken ct, Guid? teamId = null) => TypedResults.Ok(await handler.QueueAsync(teamId, ct)))
            .WithName("EscalationQueue").WithSummary("The supervisor queue: escalated cases, breached first, then next to breach");

        MapTransition(cases, "acknowledge", "Acknowledge the case (New → Acknowledged); an unowned case becomes yours",
            (c, user, now) => c.Acknowledge(user.ToActor(), now), CaseRule.TakeOrWork);
        MapTransition(cases, "start", "Start putting it right (Acknowledged → Resolving)",
            (c, user, now) => c.StartResolving(user.ToActor(), now));
        // The lifecycle changes that take a body are mapped one by one, with their concrete request types, so .NET's
        // validation sees them (a generic helper hides the type from its source generator) and a missing body is a 400.
        cases.MapPost("/{id:guid}/wait", (Guid id, WaitRequest? request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) => c.WaitForCustomer(user.ToActor(), now, request?.Reason), ct)))
        .WithName("WaitCase").WithSummary("Wait on the customer (Resolving → WaitingOnCustomer); the body with a reason is optional");
        MapTransition(cases, "resume", "The customer answered (WaitingOnCustomer → Resolving)",
            (c, user, now) => c.Resume(user.ToActor(), now));
        cases.MapPost("/{id:guid}/resolve", (Guid id, ResolveRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) => c.Resolve(user.ToActor(), now, request.Resolution, request.ApologyOnly), ct)))
        .WithName("ResolveCase").WithSummary("Mark the problem put right (Resolving → Resolved)");
        cases.MapPost("/{id:guid}/close", (Guid id, CloseRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) => c.Close(user.ToActor(), now, request.Outcome!.Value, request.Reason), ct)))
        .WithName("CloseCase").WithSummary("Close with an outcome");
        cases.MapPost("/{id:guid}/reopen", (Guid id, ReopenRequest request, CaseMutation mutation, ClaimsPrincipal user,
                HttpContext http, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, CaseRule.Work), (c, now) => c.Reopen(user.ToActor(), now, request.Reason), ct)))
        .WithName("ReopenCase").WithSummary("Reopen a resolved or closed case (back to Resolving)");

        return app;
    }

    private static void MapTransition(RouteGroupBuilder cases, string action, string summary,
        Func<Amends.Domain.Cases.RecoveryCase, ClaimsPrincipal, DateTimeOffset, DomainError?> apply, CaseRule rule = CaseRule.Work) =>
        cases.MapPost($"/{{id:guid}}/{action}", (Guid id, CaseMutation mutation, ClaimsPrincipal user, HttpContext http,
                [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            Change(http, ifMatch, version => mutation.ApplyAsync(id, version, CaseAccess.For(user, rule), (c, now) => apply(c, user, now), ct)))
        .WithName(Pascal(action) + "Case").WithSummary(summary);

    private static async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Change(
        HttpContext http, string? ifMatch, Func<long?, Task<Result<CaseDetail>>> operation)
    {
        var version = CaseMutation.ParseIfMatch(ifMatch);
        if (!version.IsSuccess)
        {
            return version.Error!.ToProblem();
        }

        return Respond(http, await operation(version.Value));
    }

    private static Results<Ok<CaseDetail>, ProblemHttpResult> Respond(HttpContext http, Result<CaseDetail> result)
    {
        if (!result.IsSuccess)
        {
            return result.Error!.ToProblem();
        }

        SetETag(http, result.Value.Version);
        return TypedResults.Ok(result.Value);
    }

    private static void SetETag(HttpContext http, long version) => http.Response.Headers.ETag = $"\"{version}\"";

    private static string Pascal(string action) => char.ToUpperInvariant(action[0]) + action[1..];
}
