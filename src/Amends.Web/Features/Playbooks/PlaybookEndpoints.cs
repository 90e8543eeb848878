using System.Security.Claims;
using Amends.Domain.Cases;
using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Amends.Web.Features.Playbooks;

public static class PlaybookEndpoints
{
    public static IEndpointRouteBuilder MapPlaybookEndpoints(this IEndpointRouteBuilder app)
    {
        var playbooks = app.MapGroup("/api/playbooks").WithTags("Playbooks");

        playbooks.MapGet("/", async (PlaybookLibrary library, CancellationToken ct, FailureCategory? category = null, bool allVersions = false) =>
                TypedResults.Ok(await library.ListAsync(category, allVersions, ct)))
            .RequireAuthorization(Policies.Agent)
            .WithName("ListPlaybooks").WithSummary("Current playbooks, one per failure category (allVersions=true for their history)");

        playbooks.MapGet("/{id:guid}", async Task<Results<Ok<PlaybookDto>, ProblemHttpResult>> (Guid id, PlaybookLibrary library, CancellationToken ct) =>
            {
                var result = await library.GetAsync(id, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Agent)
            .WithName("GetPlaybook").WithSummary("One playbook version");

        playbooks.MapPost("/", async Task<Results<Created<PlaybookDto>, ProblemHttpResult>> (
                SavePlaybookRequest request, PlaybookLibrary library, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await library.SaveAsync(request, user.UserId(), ct);
                return result.IsSuccess ? TypedResults.Created($"/api/playbooks/{result.Value.Id}", result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin)
            .WithName("SavePlaybook").WithSummary("Save a new version of a category's playbook; open cases keep the version they started with");

        return app;
    }
}
