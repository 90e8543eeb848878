using System.Security.Claims;
using Amends.Domain.Common;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Amends.Web.Features.Signals;

public static class IncidentEndpoints
{
    public static IEndpointRouteBuilder MapIncidentEndpoints(this IEndpointRouteBuilder app)
    {
        var incidents = app.MapGroup("/api/incidents").WithTags("Incidents").RequireAuthorization(Policies.Agent);

        incidents.MapGet("/", async Task<Results<Ok<Paged<IncidentItem>>, ProblemHttpResult>> (
                Incidents service, CancellationToken ct, IncidentStatus? status = null, int page = 1, int pageSize = 50) =>
            SignalQueries.CheckPaging(page, pageSize) is { } bad ? bad.ToProblem() : TypedResults.Ok(await service.ListAsync(status, page, pageSize, ct)))
            .WithName("ListIncidents").WithSummary("Incidents, newest first (status Open or Closed): many customers hit by the same failure at once.");

        incidents.MapGet("/{id:guid}", async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> (
                Guid id, Incidents service, HttpContext http, CancellationToken ct, int page = 1, int pageSize = 50) =>
            {
                if (SignalQueries.CheckPaging(page, pageSize) is { } bad)
                {
                    return bad.ToProblem();
                }

                var found = await service.GetAsync(id, page, pageSize, ct);
                if (!found.IsSuccess)
                {
                    return found.Error!.ToProblem();
                }

                http.Response.Headers.ETag = $"\"{found.Value.Incident.Version}\"";
                return TypedResults.Ok(found.Value);
            })
            .WithName("GetIncident").WithSummary("One incident with why it was opened, its affected customers (first hit first) and how many had already complained.");

        incidents.MapPost("/{id:guid}/open-cases", async Task<Results<Ok<IncidentActionResult>, ProblemHttpResult>> (
                Guid id, Incidents service, ClaimsPrincipal user, CancellationToken ct) =>
                Answer(await service.OpenCasesAsync(id, user.ToActor(), ct)))
            .RequireAuthorization(Policies.Supervisor)
            .WithName("OpenIncidentCases").WithSummary("Open a case for every affected customer without an open one (again: only for those added since); says who was left and why.");

        incidents.MapPost("/{id:guid}/message", async Task<Results<Ok<IncidentActionResult>, ProblemHttpResult>> (
                Guid id, IncidentMessageRequest request, Incidents service, ClaimsPrincipal user, CancellationToken ct) =>
                Answer(await service.MessageAsync(id, request, user.ToActor(), ct)))
            .RequireAuthorization(Policies.Supervisor)
            .WithName("MessageIncidentCustomers").WithSummary("Send every affected customer not sent it yet one message on their channel, before they complain: subject and body, "
                + "{{customer.firstName|there}} and {{customer.name}} filled per customer.");

        incidents.MapPost("/{id:guid}/close", async Task<Results<Ok<IncidentItem>, ProblemHttpResult>> (
                Guid id, Incidents service, ClaimsPrincipal user, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken ct) =>
            {
                var version = CaseMutation.ParseIfMatch(ifMatch);
                if (!version.IsSuccess)
                {
                    return version.Error!.ToProblem();
                }

                var closed = await service.CloseAsync(id, version.Value, user.ToActor(), ct);
                return closed.IsSuccess ? TypedResults.Ok(closed.Value) : closed.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Supervisor)
            .WithName("CloseIncident").WithSummary("Close an incident: it gathers no more customers (If-Match: its version).");

        incidents.MapPost("/check", async (IncidentWatch watch, CancellationToken ct) => TypedResults.Ok(await watch.CheckAsync(ct)))
            .RequireAuthorization(Policies.Admin)
            .WithName("CheckIncidents").WithSummary("Look for incidents now, as the background does every Amends:Detection:IncidentCheckMinutes.");

        app.MapPost("/api/detection/churn-check", async (ChurnWatch watch, CancellationToken ct) => TypedResults.Ok(await watch.CheckAsync(ct)))
            .WithTags("Signals").RequireAuthorization(Policies.Admin)
            .WithName("CheckPurchases").WithSummary("Fit the BG/NBD purchase model on the OrderPlaced events now and flag the regular buyers who have stopped, "
                + "as the background does every Amends:Detection:ChurnCheckHours.");

        var models = app.MapGroup("/api/detection/models").WithTags("Signals").RequireAuthorization(Policies.Admin);
        models.MapGet("/", async (HeadTraining training, CancellationToken ct) => TypedResults.Ok(await training.ListAsync(ct)))
            .WithName("ListDetectionModels").WithSummary("The versions of the sentence model's head: the shipped one and each retrained one, with their figures and which is in use.");
        models.MapGet("/{id:guid}", async Task<Results<Ok<DetectionModelDto>, ProblemHttpResult>> (Guid id, HeadTraining training, CancellationToken ct) =>
                Answer(await training.GetAsync(id, ct)))
            .WithName("GetDetectionModel").WithSummary("One retrained head, with its progress while it trains.");
        models.MapPost("/", async Task<Results<Accepted<DetectionModelDto>, ProblemHttpResult>> (HeadTraining training, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var started = await training.StartAsync(user.ToActor(), ct);
                return started.IsSuccess ? TypedResults.Accepted($"/api/detection/models/{started.Value.Id}", started.Value) : started.Error!.ToProblem();
            })
            .WithName("TrainDetectionModel").WithSummary("Retrain the head from the agents' verdicts on detected cases together with the shipped sample, in the background "
                + "(202; poll the version for its progress). It is measured against the head in use on the verdicts held out of training.");
        models.MapPost("/{id:guid}/activate", async Task<Results<Ok<DetectionModelDto>, ProblemHttpResult>> (Guid id, HeadTraining training, ClaimsPrincipal user, CancellationToken ct) =>
                Answer(await training.ActivateAsync(id, user.ToActor(), ct)))
            .WithName("ActivateDetectionModel").WithSummary("Put a retrained head in use on every instance: one that was better than the head it was compared with, or one used before (409 otherwise).");
        models.MapPost("/shipped/activate", async Task<Results<Ok<DetectionModelDto>, ProblemHttpResult>> (HeadTraining training, ClaimsPrincipal user, CancellationToken ct) =>
                Answer(await training.ActivateAsync(null, user.ToActor(), ct)))
            .WithName("ActivateShippedDetectionModel").WithSummary("Go back to the head shipped with the product.");
        return app;
    }

    private static Results<Ok<T>, ProblemHttpResult> Answer<T>(Result<T> result) => result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();

}
