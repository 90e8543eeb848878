using Amends.Domain.Common;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Signals;

public static class SignalEndpoints
{
    public static IEndpointRouteBuilder MapSignalEndpoints(this IEndpointRouteBuilder app)
    {
        var signals = app.MapGroup("/api/signals").WithTags("Signals").RequireAuthorization(Policies.Agent);

        signals.MapPost("/", async Task<Results<Created<SignalResult>, Ok<SignalResult>, ProblemHttpResult>> (SignalRequest request, SignalIntake intake, CancellationToken ct) =>
            {
                var outcome = (await intake.IngestAsync([request], ct))[0];
                if (outcome.Result is not { } result)
                {
                    return Invalid(outcome.Errors!);
                }

                return result.Replayed ? TypedResults.Ok(result) : TypedResults.Created($"/api/signals/{result.SignalId}", result);
            })
            .WithName("PostSignal")
            .WithSummary("Report one signal: a survey answer, a message, a review or a behaviour event. It is stored once per (source, externalId) "
                + "with its cues and risk; a risky one opens a case or goes onto the customer's open one. 201 when new, 200 with its current state on a replay.");

        signals.MapPost("/batch", async Task<Results<Ok<SignalBatchResult>, ProblemHttpResult>> (SignalBatchRequest request, SignalIntake intake, CancellationToken ct) =>
            {
                if (request.Items is not { Count: > 0 } items)
                {
                    return DomainError.Invalid("signal.batch_empty", "items", "Send the signals as items: [ ... ].").ToProblem();
                }

                if (items.Count > SignalIntake.MaxBatch)
                {
                    return DomainError.Invalid("signal.batch_too_large", "items", $"A batch has at most {SignalIntake.MaxBatch:N0} items; this one has {items.Count:N0}.").ToProblem();
                }

                return TypedResults.Ok(await intake.BatchAsync(items, ct));
            })
            .WithMetadata(new RequestSizeLimitAttribute(SignalIntake.MaxBatchBytes))
            .WithName("PostSignalBatch")
            .WithSummary("Report up to 1,000 signals (8 MiB) at once. Always 200 with one result per item, in order: Stored, Replayed or Invalid "
                + "with its field errors; the valid items are stored whatever the others hold.");

        signals.MapGet("/{id:guid}", async Task<Results<Ok<SignalDto>, ProblemHttpResult>> (Guid id, AmendsDbContext db, CancellationToken ct) =>
                await db.Signals.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } signal
                    ? TypedResults.Ok(SignalDto.From(signal))
                    : DomainError.NotFound("signal.not_found", $"There is no signal {id}.").ToProblem())
            .WithName("GetSignal").WithSummary("One signal as it was reported, with what detection found in it and did with it");

        signals.MapGet("/", async Task<Results<Ok<Paged<SignalDto>>, ProblemHttpResult>> (
                AmendsDbContext db, CancellationToken ct, Guid? customerId = null, Guid? caseId = null, string? action = null, int page = 1, int pageSize = 50) =>
            {
                if (page < 1 || pageSize is < 1 or > 200)
                {
                    return DomainError.Invalid("request.paging_invalid", "pageSize", "page starts at 1; pageSize is 1 to 200.").ToProblem();
                }

                var query = db.Signals.AsNoTracking();
                if (customerId is { } customer)
                {
                    query = query.Where(s => s.CustomerId == new CustomerId(customer));
                }

                if (caseId is { } onCase)
                {
                    query = query.Where(s => s.CaseId == new CaseId(onCase));
                }

                if (!string.IsNullOrWhiteSpace(action))
                {
                    if (!Enum.TryParse<SignalAction>(action, true, out var wanted) || char.IsAsciiDigit(action.Trim()[0]))
                    {
                        return DomainError.Invalid("request.invalid_value", "action", "action is Opened, Attached, None or Pending.").ToProblem();
                    }

                    query = query.Where(s => s.Action == wanted);
                }

                // A customer's signals newest first by when they happened (their index); otherwise newest received first.
                var ordered = customerId is not null ? query.OrderByDescending(s => s.OccurredAt).ThenByDescending(s => s.Id) : query.OrderByDescending(s => s.Id);
                const int cap = 1000;
                var total = await query.Take(cap + 1).CountAsync(ct);
                var rows = await ordered.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
                return TypedResults.Ok(new Paged<SignalDto>([.. rows.Select(SignalDto.From)], Math.Min(total, cap), page, pageSize) { TotalCapped = total > cap });
            })
            .WithName("ListSignals").WithSummary("Signals, newest first: a customer's (customerId), those that drove a case (caseId), or by action. total caps at 1,000.");

        return app;
    }

    private static ProblemHttpResult Invalid(IReadOnlyList<DomainError> errors)
    {
        if (errors.Count == 1)
        {
            return errors[0].ToProblem();
        }

        return TypedResults.Problem(new HttpValidationProblemDetails(SignalIntake.Fields(errors))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid",
            Detail = string.Join(" ", errors.Select(e => e.Message)),
            Type = "https://amends.dev/problems/signal.invalid",
            Extensions = { ["code"] = "signal.invalid" },
        });
    }
}
