using System.Security.Claims;
using Amends.Domain.Common;
using Amends.Domain.Remedies;
using Amends.Domain.Teams;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Amends.Web.Features.Remedies;

public static class RemedyEndpoints
{
    public static IEndpointRouteBuilder MapRemedyEndpoints(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/cases").WithTags("Remedies").RequireAuthorization(Policies.Agent);
        cases.MapGet("/{id:guid}/remedies", async Task<Results<Ok<RemedyPanel>, ProblemHttpResult>> (Guid id, Remedies remedies, ClaimsPrincipal user, CancellationToken ct) =>
                Reply(await remedies.PanelAsync(id, user.ToActor(), user.HighestRole(), ct)))
            .WithName("RemedyPanel").WithSummary("The case's offers, what similar cases received (fairness guidance) and your authority left");
        cases.MapGet("/{id:guid}/offers", async Task<Results<Ok<IReadOnlyList<OfferDto>>, ProblemHttpResult>> (Guid id, Remedies remedies, CancellationToken ct) =>
                Reply(await remedies.OffersAsync(id, ct)))
            .WithName("ListOffers").WithSummary("The case's offers, newest first");
        cases.MapPost("/{id:guid}/offers", async Task<Results<Created<OfferDto>, ProblemHttpResult>> (Guid id, MakeOfferRequest request, Remedies remedies, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await remedies.OfferAsync(id, request, user.ToActor(), user.HighestRole(), ct);
                return result.IsSuccess ? TypedResults.Created($"/api/offers/{result.Value.Id}", result.Value) : result.Error!.ToProblem();
            })
            .WithName("MakeOffer").WithSummary("Offer the customer one or more remedies; within your authority it is granted at once, above it it waits for approval");

        var offers = app.MapGroup("/api/offers").WithTags("Remedies").RequireAuthorization(Policies.Agent);
        offers.MapPost("/{id:guid}/choice", async Task<Results<Ok<OfferDto>, ProblemHttpResult>> (Guid id, ChooseOptionRequest request, Remedies remedies, ClaimsPrincipal user, CancellationToken ct) =>
                Reply(await remedies.ChooseAsync(id, request, user.ToActor(), user.HighestRole(), ct)))
            .WithName("ChooseOffer").WithSummary("Record the customer's choice among the offer's options");
        offers.MapPost("/{id:guid}/fulfil", async Task<Results<Ok<OfferDto>, ProblemHttpResult>> (Guid id, FulfilOfferRequest request, Remedies remedies, ClaimsPrincipal user, CancellationToken ct) =>
                Reply(await remedies.FulfilAsync(id, request, user.ToActor(), user.HighestRole(), ct)))
            .WithName("FulfilOffer").WithSummary("Record that the chosen remedy was carried out, with its reference (refund id, order number)");
        offers.MapPost("/{id:guid}/withdraw", async Task<Results<Ok<OfferDto>, ProblemHttpResult>> (Guid id, DecisionRequest request, Remedies remedies, ClaimsPrincipal user, CancellationToken ct) =>
                Reply(await remedies.WithdrawAsync(id, request, user.ToActor(), user.HighestRole(), ct)))
            .WithName("WithdrawOffer").WithSummary("Withdraw an offer before the customer chooses");

        var approvals = app.MapGroup("/api/approvals").WithTags("Remedies").RequireAuthorization(Policies.Supervisor);
        approvals.MapGet("/", async (Remedies remedies, ClaimsPrincipal user, CancellationToken ct) =>
                TypedResults.Ok(await remedies.ApprovalsAsync(user.ToActor(), user.HighestRole(), ct)))
            .WithName("ListApprovals").WithSummary("Offers waiting for approval, the most overdue first");
        approvals.MapPost("/{id:guid}/approve", async Task<Results<Ok<OfferDto>, ProblemHttpResult>> (Guid id, DecisionRequest request, Remedies remedies, ClaimsPrincipal user, CancellationToken ct) =>
                Reply(await remedies.ApproveAsync(id, request, user.ToActor(), user.HighestRole(), ct)))
            .WithName("ApproveOffer").WithSummary("Approve an offer (id of the offer); it is then put to the customer");
        approvals.MapPost("/{id:guid}/deny", async Task<Results<Ok<OfferDto>, ProblemHttpResult>> (Guid id, DecisionRequest request, Remedies remedies, ClaimsPrincipal user, CancellationToken ct) =>
                Reply(await remedies.DenyAsync(id, request, user.ToActor(), user.HighestRole(), ct)))
            .WithName("DenyOffer").WithSummary("Deny an offer with a reason");

        var catalogue = app.MapGroup("/api/remedy-catalogue").WithTags("Remedies").RequireAuthorization(Policies.Agent);
        catalogue.MapGet("/", async (Catalogue handler, CancellationToken ct, bool includeInactive = false) => TypedResults.Ok(await handler.ListAsync(includeInactive, ct)))
            .WithName("ListRemedyCatalogue").WithSummary("Kinds of remedy with their usual value");
        catalogue.MapPost("/", async Task<Results<Created<CatalogueItemDto>, ProblemHttpResult>> (SaveCatalogueItemRequest request, Catalogue handler, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await handler.CreateAsync(request, user.ToActor(), ct);
                return result.IsSuccess ? TypedResults.Created($"/api/remedy-catalogue/{result.Value.Id}", result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin).WithName("CreateRemedyCatalogueItem").WithSummary("Add a kind of remedy to the catalogue");
        catalogue.MapPut("/{id:guid}", async Task<Results<Ok<CatalogueItemDto>, ProblemHttpResult>> (Guid id, SaveCatalogueItemRequest request, Catalogue handler, ClaimsPrincipal user,
                [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            {
                var version = CaseMutation.ParseIfMatch(ifMatch);
                return version.IsSuccess ? Reply(await handler.UpdateAsync(id, request, version.Value, user.ToActor(), ct)) : version.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin).WithName("UpdateRemedyCatalogueItem").WithSummary("Change or retire a catalogue entry");

        var limits = app.MapGroup("/api/authority-limits").WithTags("Remedies").RequireAuthorization(Policies.Supervisor);
        limits.MapGet("/", async (Limits handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(ct)))
            .WithName("ListAuthorityLimits").WithSummary("Authority limits per role and per-user overrides (minor units; null is no limit)");
        limits.MapPut("/roles/{role}", async Task<Results<Ok<AuthorityLimitDto>, ProblemHttpResult>> (Role role, SetLimitRequest request, Limits handler, ClaimsPrincipal user, CancellationToken ct) =>
                Reply(await handler.SetForRoleAsync(role, request, user.ToActor(), ct)))
            .RequireAuthorization(Policies.Admin).WithName("SetRoleLimit").WithSummary("Set a role's default authority limits");
        limits.MapPut("/users/{userId:guid}", async Task<Results<Ok<AuthorityLimitDto>, ProblemHttpResult>> (Guid userId, SetLimitRequest request, Limits handler, ClaimsPrincipal user, CancellationToken ct) =>
                Reply(await handler.SetForUserAsync(userId, request, user.ToActor(), ct)))
            .RequireAuthorization(Policies.Admin).WithName("SetUserLimit").WithSummary("Give one user limits of their own");
        limits.MapDelete("/users/{userId:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid userId, Limits handler, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await handler.ClearForUserAsync(userId, user.ToActor(), ct);
                return result.IsSuccess ? TypedResults.NoContent() : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin).WithName("ClearUserLimit").WithSummary("Remove a user's own limits; their role's apply again");

        var ledger = app.MapGroup("/api/ledger").WithTags("Ledger").RequireAuthorization(Policies.Admin);
        ledger.MapGet("/", async Task<Results<Ok<Paged<LedgerEntryDto>>, ProblemHttpResult>> (Ledger handler, CancellationToken ct, Guid? caseId = null, string? action = null, int page = 1, int pageSize = 50) =>
                page < 1 || pageSize is < 1 or > 500
                    ? DomainError.Invalid("paging.invalid", "pageSize", "page starts at 1; pageSize is from 1 to 500.").ToProblem()
                    : TypedResults.Ok(await handler.ListAsync(caseId, action, page, pageSize, ct)))
            .WithName("ListLedger").WithSummary("The audit ledger, newest first; filter by case or action prefix");
        ledger.MapGet("/verify", async (Ledger handler, CancellationToken ct) => TypedResults.Ok(await handler.VerifyAsync(ct)))
            .WithName("VerifyLedger").WithSummary("Recompute the hash chain from the first entry and report the first broken one");
        ledger.MapGet("/export", (Ledger handler, HttpContext http, CancellationToken ct) =>
            {
                http.Response.ContentType = "text/csv; charset=utf-8";
                http.Response.Headers.ContentDisposition = "attachment; filename=\"amends-ledger.csv\"";
                return handler.WriteCsvAsync(http.Response.Body, ct);
            })
            .WithName("ExportLedger").WithSummary("The whole ledger as CSV, oldest first");

        return app;
    }

    private static Results<Ok<T>, ProblemHttpResult> Reply<T>(Result<T> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
}
