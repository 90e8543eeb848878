using System.Security.Claims;
using Amends.Domain.Common;
using Amends.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Amends.Web.Features.Messaging.Email;

public static class EmailEndpoints
{
    /// <summary>The original HTML is shown as a document of its own that can run nothing and fetch nothing, even were the sanitiser to miss something.</summary>
    public const string OriginalPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    public static IEndpointRouteBuilder MapEmailEndpoints(this IEndpointRouteBuilder app)
    {
        var emails = app.MapGroup("/api/emails").WithTags("Messages").RequireAuthorization(Policies.Agent);
        emails.MapGet("/", async Task<Results<Ok<Cases.Paged<EmailItem>>, ProblemHttpResult>> (
                Emails read, CancellationToken ct, string? state = null, int page = 1, int pageSize = 50) =>
            Respond(await read.ListAsync(state, page, pageSize, ct)))
            .WithName("ListEmails")
            .WithSummary("E-mail read from the support mailbox, newest first; state=Spam is the Spam view (also Attached, Opened, Dropped, AutomaticReply, Bounce, Ours)");
        emails.MapGet("/{id:guid}", async Task<Results<Ok<EmailDetail>, ProblemHttpResult>> (Guid id, Emails read, CancellationToken ct) =>
            Respond(await read.GetAsync(id, ct)))
            .WithName("GetEmail").WithSummary("One e-mail: the new text the timeline shows, the whole original text, and its attachments");
        emails.MapGet("/{id:guid}/original", async Task<IResult> (Guid id, Emails read, HttpContext http, CancellationToken ct) =>
            {
                if (await read.OriginalAsync(id, ct) is not { } e)
                {
                    return DomainError.NotFound("email.no_html", "This e-mail has no HTML part (or does not exist): its text is the original.").ToProblem();
                }

                // Who sent it and when, encoded, above the sanitised body.
                var enc = System.Text.Encodings.Web.HtmlEncoder.Default;
                var head = $"<header style=\"font:14px system-ui,sans-serif;color:#444;border-bottom:1px solid #ddd;padding:0 0 8px;margin:0 0 12px\">"
                    + $"<div><b>From</b> {enc.Encode(e.From)}</div><div><b>Subject</b> {enc.Encode(e.Subject)}</div>"
                    + $"<div><b>Received</b> {e.ReceivedAt:yyyy-MM-dd HH:mm} UTC{(e.CaseNumber is { } number ? " · case " + enc.Encode(number) : "")}</div></header>";
                http.Items[SecurityHeaders.OwnPolicy] = OriginalPolicy;
                return Results.Content($"<!doctype html><meta charset=\"utf-8\"><title>Original e-mail</title>{head}{e.Html}", "text/html; charset=utf-8");
            })
            .WithName("GetEmailOriginal").WithSummary("The e-mail's HTML as sent, sanitised, in a sandbox that runs no script and loads nothing");
        emails.MapGet("/{id:guid}/attachments/{attachmentId:guid}", async Task<IResult> (Guid id, Guid attachmentId, Emails read, CancellationToken ct) =>
            await read.AttachmentAsync(id, attachmentId, ct) is { } file
                ? Results.File(file.Content, "application/octet-stream", file.FileName)
                : DomainError.NotFound("email.attachment_not_found", "There is no such attachment.").ToProblem())
            .WithName("GetEmailAttachment").WithSummary("A file that came with a customer's e-mail, always as a download (staff only)");
        emails.MapPost("/{id:guid}/open-case", async Task<Results<Ok<IntakeResult>, ProblemHttpResult>> (Guid id, EmailIntake intake, ClaimsPrincipal user, CancellationToken ct) =>
            Respond(await intake.ReleaseFromSpamAsync(id, open: true, user.UserId().Value, ct)))
            .WithName("OpenCaseFromSpam").WithSummary("Take a message from the Spam view as a customer's: it is threaded, or opens a case, as if it had never been marked");
        emails.MapPost("/{id:guid}/drop", async Task<Results<Ok<IntakeResult>, ProblemHttpResult>> (Guid id, EmailIntake intake, ClaimsPrincipal user, CancellationToken ct) =>
            Respond(await intake.ReleaseFromSpamAsync(id, open: false, user.UserId().Value, ct)))
            .WithName("DropSpam").WithSummary("Drop a message from the Spam view (it is kept, marked Dropped, with who did it)");
        return app;
    }

    private static Results<Ok<T>, ProblemHttpResult> Respond<T>(Result<T> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error!.ToProblem();
}
