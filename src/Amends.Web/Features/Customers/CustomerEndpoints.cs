using System.Security.Claims;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Amends.Web.Features.Customers;

public static class CustomerEndpoints
{
    public static IEndpointRouteBuilder MapCustomerEndpoints(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/customers").WithTags("Customers").RequireAuthorization(Policies.Agent);

        customers.MapPost("/", async Task<Results<Created<CustomerDto>, ProblemHttpResult>> (
            CreateCustomerRequest request, CreateCustomer handler, CancellationToken ct) =>
        {
            var result = await handler.HandleAsync(request, ct);
            return result.IsSuccess
                ? TypedResults.Created($"/api/customers/{result.Value.Id}", result.Value)
                : result.Error!.ToProblem();
        })
        .WithName("CreateCustomer").WithSummary("Register a customer");

        customers.MapGet("/", async Task<Results<Ok<Paged<CustomerDto>>, ProblemHttpResult>> (
            FindCustomers handler, CancellationToken ct, string? q = null, int page = 1, int pageSize = 50) =>
        {
            var result = await handler.SearchAsync(q, page, pageSize, ct);
            return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
        })
        .WithName("SearchCustomers").WithSummary("Search customers by name, e-mail or phone");

        customers.MapGet("/{id:guid}", async Task<Results<Ok<CustomerDetail>, ProblemHttpResult>> (
            Guid id, FindCustomers handler, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var result = await handler.GetAsync(id, user.UserId(), ct);
            return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
        })
        .WithName("GetCustomer").WithSummary("A customer with their case history");

        customers.MapPut("/{id:guid}/preferences", async Task<Results<Ok<CustomerDto>, ProblemHttpResult>> (
            Guid id, CustomerPreferencesRequest request, CustomerPreferences handler, CancellationToken ct) =>
        {
            var result = await handler.SetAsync(id, request, ct);
            return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
        })
        .WithName("SetCustomerPreferences")
        .WithSummary("The customer's time zone (IANA, e.g. Europe/Berlin) and language (e.g. de, pt-br), each null for the default; automaticUpdates false stops automatic updates, true starts them again");

        customers.MapGet("/{id:guid}/export", async Task<Results<Ok<object>, ProblemHttpResult>> (
            Guid id, CustomerData data, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        {
            var result = await data.ExportAsync(id, user.ToActor(), ct);
            if (!result.IsSuccess)
            {
                return result.Error!.ToProblem();
            }

            http.Response.Headers.ContentDisposition = $"attachment; filename=\"customer-{id}.json\"";
            return TypedResults.Ok(result.Value);
        })
        .RequireAuthorization(Policies.Admin)
        .WithName("ExportCustomer").WithSummary("Everything held about one customer, as JSON (profile, contact points, cases, messages, timeline, promises, remedies); on the ledger");

        customers.MapPost("/{id:guid}/erase", async Task<Results<Ok<ErasureResult>, ProblemHttpResult>> (
            Guid id, EraseCustomerRequest request, CustomerData data, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var result = await data.EraseAsync(id, request, user.ToActor(), ct);
            return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
        })
        .RequireAuthorization(Policies.Admin)
        .WithName("EraseCustomer").WithSummary("Erase a customer's personal data for good (confirm: their id): name, contact points and the text they wrote; "
            + "the anonymised cases and the ledger stay; on the ledger");

        customers.MapPost("/{id:guid}/merge", async Task<Results<Ok<MergeResult>, ProblemHttpResult>> (
            Guid id, MergeCustomersRequest request, MergeCustomers handler, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var result = await handler.HandleAsync(id, request, user.ToActor(), ct);
            return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
        })
        .RequireAuthorization(Policies.Supervisor)
        .WithName("MergeCustomers")
        .WithSummary("Two records of one person become one: the duplicate's cases (each noted on its timeline), signals and messages move to this customer, "
            + "which takes the contact points it lacked, the higher tier and the added lifetime value; the duplicate stays, marked merged, and leads to this one; on the ledger");

        return app;
    }
}
