using Amends.Domain.Common;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
                    return outcome.Errors!.ToProblem("signal.invalid");
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

        signals.MapPost("/import", async Task<Results<Ok<CsvImportResult>, ProblemHttpResult>> (HttpRequest request, SignalCsvImport import, CancellationToken ct) =>
            {
                // Sep reads synchronously: the body is taken in whole first (it is limited to 64 MiB).
                await using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, ct);
                buffer.Position = 0;
                return TypedResults.Ok(await import.ImportAsync(buffer, null, ct));
            })
            .Accepts<string>("text/csv")
            .WithMetadata(new RequestSizeLimitAttribute(SignalCsvImport.MaxBytes))
            .WithName("ImportSignals")
            .WithSummary("Import signals from a CSV file (text/csv, up to 100,000 rows or 64 MiB): a header row naming the columns (source, externalId, kind, "
                + "occurredAt, email, phone, customerExternalId, name, surveyType, score, rating, site, event, value, channel, text, product, location, orderReference), "
                + "then one signal per row. Each row is stored on its own; the answer counts them and names each refused row's line, column and reason.");

        signals.MapGet("/{id:guid}", async Task<Results<Ok<SignalDto>, ProblemHttpResult>> (Guid id, SignalQueries queries, CancellationToken ct) =>
                await queries.GetAsync(id, ct) is { } signal
                    ? TypedResults.Ok(signal)
                    : DomainError.NotFound("signal.not_found", $"There is no signal {id}.").ToProblem())
            .WithName("GetSignal").WithSummary("One signal as it was reported, with what detection found in it and did with it");

        signals.MapGet("/", async Task<Results<Ok<Paged<SignalDto>>, ProblemHttpResult>> (
                SignalQueries queries, CancellationToken ct, Guid? customerId = null, Guid? caseId = null, string? action = null, int page = 1, int pageSize = 50) =>
            {
                var found = await queries.ListAsync(customerId, caseId, action, page, pageSize, ct);
                return found.IsSuccess ? TypedResults.Ok(found.Value) : found.Error!.ToProblem();
            })
            .WithName("ListSignals").WithSummary("Signals, newest first: a customer's (customerId), those that drove a case (caseId), or by action. total caps at 1,000.");

        app.MapPost("/api/detection/score", Results<Ok<ScoreResult>, ProblemHttpResult> (ScoreRequest request, TextScoring fast, SentenceScoring sentence) =>
            {
                if (string.IsNullOrWhiteSpace(request.Text))
                {
                    return DomainError.Invalid("detection.text_required", "text", "Send the text to score.").ToProblem();
                }

                if (request.Text.Length > Signal.MaxTextLength)
                {
                    return DomainError.Invalid("detection.text_too_long", "text", $"A text has at most {Signal.MaxTextLength:N0} characters.").ToProblem();
                }

                var fastScore = fast.Score(request.Text);
                var reading = sentence.Enabled ? sentence.Read([request.Text])[0] : null;
                var (score, version) = reading is null ? (fastScore, fast.Version) : (reading.Score, reading.Version);
                var label = score >= 0.7 ? "Dissatisfied" : score >= 0.5 ? "Unclear" : "Satisfied";
                return TypedResults.Ok(new ScoreResult(Math.Round(score, 4), label, [.. CueRules.InText(request.Text).Select(c => c.Cue)], version, Math.Round(fastScore, 4),
                    reading?.Category.Category, reading is null ? null : Math.Round(reading.Category.Confidence, 3)));
            })
            .RequireAuthorization(Policies.Agent)
            .WithTags("Signals").WithName("ScoreText")
            .WithSummary("How dissatisfied a text reads (0–1, higher is more) to the sentence model, with the rule cues found in it; stores nothing. A long text is read in windows and pooled, never cut.");

        app.MapGet("/api/detection/status", async (ModelScoring scoring, CancellationToken ct) => TypedResults.Ok(await scoring.StatusAsync(ct)))
            .RequireAuthorization(Policies.Admin)
            .WithTags("Signals").WithName("DetectionStatus")
            .WithSummary("The sentence model's backlog (texts waiting, capped at 100,000, and the oldest one's age), which models read texts, and the risk thresholds");

        return app;
    }
}
