using System.Security.Claims;
using Amends.Domain.Teams;
using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Amends.Web.Features.Admin;

public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users");
        users.MapGet("/", async (Users handler, ClaimsPrincipal user, CancellationToken ct) =>
                TypedResults.Ok(user.IsAdmin() ? await handler.ListAsync(ct) : await handler.ListPublicAsync(ct)))
            .RequireAuthorization(Policies.Agent).WithName("ListUsers").WithSummary("Everyone who works cases (names, roles, teams; e-mail addresses for admins only)");
        users.MapGet("/me", async Task<Results<Ok<UserDto>, ProblemHttpResult>> (Users handler, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await handler.GetAsync(user.UserId().Value, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Agent).WithName("GetCurrentUser").WithSummary("The signed-in user or the API key's user");
        users.MapPost("/me/away", async Task<Results<Ok<Features.Cover.AwayStatus>, ProblemHttpResult>> (
                Features.Cover.AwayRequest request, Features.Cover.Cover cover, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await cover.GoAwayAsync(user.UserId(), request, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Agent).WithName("GoAway")
            .WithSummary("Mark yourself away until a time: teammates with the lightest load cover your open cases meanwhile");
        users.MapDelete("/me/away", async Task<Results<Ok<Features.Cover.AwayStatus>, ProblemHttpResult>> (
                Features.Cover.Cover cover, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await cover.BackAsync(user.UserId(), ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Agent).WithName("ComeBack").WithSummary("You are back: your cases are yours alone again");
        users.MapGet("/me/away", async (Features.Cover.Cover cover, ClaimsPrincipal user, CancellationToken ct) =>
                TypedResults.Ok(await cover.StatusAsync(user.UserId(), ct)))
            .RequireAuthorization(Policies.Agent).WithName("AwayStatus").WithSummary("Your away time and who covers which of your cases");
        users.MapPost("/", async Task<Results<Created<UserDto>, ProblemHttpResult>> (CreateUserRequest request, Users handler, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await handler.CreateAsync(request, ct, user.UserId().Value);
                return result.IsSuccess ? TypedResults.Created($"/api/users/{result.Value.Id}", result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin).WithName("CreateUser").WithSummary("Create a user with a role");
        users.MapPost("/{id:guid}/password", async Task<Results<Ok<UserDto>, ProblemHttpResult>> (
                Guid id, ResetPasswordRequest request, Users handler, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await handler.ResetPasswordAsync(id, request, user.UserId().Value, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin).WithName("ResetPassword")
            .WithSummary("Give a user a new password (12+ characters, not a common one); their sessions end; on the ledger");
        users.MapPut("/{id:guid}", async Task<Results<Ok<UserDto>, ProblemHttpResult>> (
                Guid id, UpdateUserRequest request, Users handler, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await handler.UpdateAsync(id, request, user.UserId().Value, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin).WithName("UpdateUser").WithSummary("Change a user's name, role, team or activation");

        var teams = app.MapGroup("/api/teams").WithTags("Teams");
        teams.MapGet("/", async (Teams handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(ct)))
            .RequireAuthorization(Policies.Agent).WithName("ListTeams").WithSummary("Teams with their supervisor");
        teams.MapPost("/", async Task<Results<Created<TeamDto>, ProblemHttpResult>> (SaveTeamRequest request, Teams handler, CancellationToken ct) =>
            {
                var result = await handler.CreateAsync(request, ct);
                return result.IsSuccess ? TypedResults.Created($"/api/teams/{result.Value.Id}", result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin).WithName("CreateTeam").WithSummary("Create a team");
        teams.MapPut("/{id:guid}", async Task<Results<Ok<TeamDto>, ProblemHttpResult>> (Guid id, SaveTeamRequest request, Teams handler, CancellationToken ct) =>
            {
                var result = await handler.UpdateAsync(id, request, ct);
                return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
            })
            .RequireAuthorization(Policies.Admin).WithName("UpdateTeam").WithSummary("Rename a team or change its supervisor");

        var keys = app.MapGroup("/api/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        keys.MapGet("/", async (ApiKeyAdmin handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(ct)))
            .WithName("ListApiKeys").WithSummary("API keys (never their secrets)");
        keys.MapPost("/", async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> (
                CreateApiKeyRequest request, ApiKeyAdmin handler, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await handler.CreateAsync(request, user.UserId(), ct);
                return result.IsSuccess
                    ? TypedResults.Created($"/api/api-keys/{result.Value.ApiKey.Id}", result.Value)
                    : result.Error!.ToProblem();
            })
            .WithName("CreateApiKey").WithSummary("Create an API key; the response is the only time the secret is shown");
        keys.MapDelete("/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid id, ApiKeyAdmin handler, CancellationToken ct) =>
            {
                var error = await handler.RevokeAsync(id, ct);
                return error is null ? TypedResults.NoContent() : error.ToProblem();
            })
            .WithName("RevokeApiKey").WithSummary("Revoke an API key");

        var security = app.MapGroup("/api/security").WithTags("Admin").RequireAuthorization(Policies.Admin);
        security.MapGet("/two-factor", async (Features.Account.TwoFactor twoFactor, CancellationToken ct) => TypedResults.Ok(await twoFactor.RequirementsAsync(ct)))
            .WithName("TwoFactorRequirements").WithSummary("Which roles must sign in with a second factor");
        security.MapPut("/two-factor/{role}", async Task<Results<Ok<IReadOnlyDictionary<Role, bool>>, ProblemHttpResult>> (
                Role role, TwoFactorRequirement request, Features.Account.TwoFactor twoFactor, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await twoFactor.SetRequiredAsync(role, request.Required, user.ToActor(), ct);
                return result.IsSuccess ? TypedResults.Ok(await twoFactor.RequirementsAsync(ct)) : result.Error!.ToProblem();
            })
            .WithName("RequireTwoFactor").WithSummary("Require (or stop requiring) two-factor sign-in for a role; members who have not set it up are sent to set it up; on the ledger");

        return app;
    }
}

/// <summary>Whether a role must sign in with a second factor.</summary>
public sealed record TwoFactorRequirement(bool Required);
