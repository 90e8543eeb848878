using System.Security.Cryptography;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.FollowUp;

/// <summary>The links to put in a satisfaction check: one per score, each opening the confirm page with that score chosen.</summary>
public sealed record FeedbackLinks(Guid CaseId, DateTime ExpiresAt, IReadOnlyDictionary<int, string> Links);

/// <summary>
/// Signed links a customer answers the satisfaction check with. Opening a link only shows the answer page: link
/// scanners and mail previews open links, so the answer counts only when the customer confirms it (a form post).
/// The token names the case and expires; it is signed with the data-protection keys every instance shares.
/// </summary>
public sealed class Feedback(IDataProtectionProvider protection, AmendsDbContext db, CaseMutation mutation, TimeProvider time, Infrastructure.PublicUrls urls)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    private ITimeLimitedDataProtector Protector => ProtectorOf(protection);

    private static ITimeLimitedDataProtector ProtectorOf(IDataProtectionProvider protection) =>
        protection.CreateProtector("Amends.FollowUp.Feedback.v1").ToTimeLimitedDataProtector();

    /// <summary>
    /// The links, for the people who send them: the case's owner, their cover or a supervisor. They are the customer's
    /// to answer with; staff who hear an answer by phone record it as theirs (<c>POST /api/cases/{id}/follow-up</c>).
    /// Built from <c>Amends:PublicBaseUrl</c>, never from the request's Host header.
    /// </summary>
    public async Task<Result<FeedbackLinks>> LinksAsync(Guid caseId, CaseAccess access, CancellationToken ct)
    {
        var recoveryCase = await db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.Id == new CaseId(caseId), ct);
        if (recoveryCase is null)
        {
            return DomainError.NotFound("case.not_found", $"There is no case {caseId}.");
        }

        if (access.Check(recoveryCase) is { } forbidden)
        {
            return forbidden;
        }

        var baseUrl = urls.BaseUrl;

        var expires = time.GetUtcNow().Add(Lifetime);
        var token = Protector.Protect(caseId.ToString("N"), expires);
        var links = Enumerable.Range(1, 5).ToDictionary(score => score, score => $"{baseUrl.TrimEnd('/')}/feedback/{token}?score={score}");
        return Result<FeedbackLinks>.Ok(new FeedbackLinks(caseId, expires.UtcDateTime, links));
    }

    /// <summary>The answer page of a case, for its customer's status page (the customer answers there themselves).</summary>
    public string LinkFor(Guid caseId) => LinkFor(protection, urls, time, caseId);

    /// <summary>The answer page of a case, for code outside a request (the automatic satisfaction check).</summary>
    public static string LinkFor(IDataProtectionProvider protection, Infrastructure.PublicUrls urls, TimeProvider time, Guid caseId) =>
        $"{urls.BaseUrl.TrimEnd('/')}/feedback/{ProtectorOf(protection).Protect(caseId.ToString("N"), time.GetUtcNow().Add(Lifetime))}";

    /// <summary>The case a token names, or null when it was altered or has expired.</summary>
    public Guid? CaseOf(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Guid.TryParseExact(Protector.Unprotect(token, out _), "N", out var id) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Whether the case still waits for an answer (resolved, not yet answered).</summary>
    public async Task<bool> WaitingAsync(Guid caseId, CancellationToken ct) =>
        await db.Cases.AnyAsync(c => c.Id == new CaseId(caseId) && c.Status == CaseStatus.Resolved && c.FollowUpScore == null, ct);

    public async Task<Result<CaseDetail>> AnswerAsync(Guid caseId, int score, string? comment, CancellationToken ct) =>
        await mutation.ApplyAsync(caseId, null, CaseAccess.Customer, async (c, now) =>
        {
            var tier = await db.Customers.Where(x => x.Id == c.CustomerId).Select(x => x.Tier).SingleAsync(ct);
            return c.AnswerFollowUp(score, comment, tier, now);
        }, ct);
}

public static class FeedbackEndpoints
{
    public static IEndpointRouteBuilder MapFeedbackEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cases/{id:guid}/follow-up/links", async (Guid id, Feedback feedback, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct) =>
            {
                var result = await feedback.LinksAsync(id, CaseAccess.For(user, CaseRule.Work), ct);
                return result.IsSuccess ? Results.Ok(result.Value) : Infrastructure.ApiProblems.ToProblem(result.Error!);
            })
            .RequireAuthorization(Infrastructure.Policies.Agent)
            .WithTags("Cases").WithName("FollowUpLinks")
            .WithSummary("Signed links (one per score, valid 30 days) for the customer's satisfaction answer; opening one asks the customer to confirm. "
                + "For the case's owner, their cover and supervisors, who send them; built from Amends:PublicBaseUrl");

        // The confirm page's form posts here; a GET of the link never records anything.
        app.MapPost("/feedback/{token}/answer", async (string token, [FromForm] int? score, [FromForm] string? comment, Feedback feedback, CancellationToken ct) =>
            {
                var caseId = feedback.CaseOf(token);
                if (caseId is null)
                {
                    return Results.Redirect($"/feedback/{Uri.EscapeDataString(token)}");
                }

                if (score is not (>= 1 and <= 5))
                {
                    return Results.Redirect($"/feedback/{Uri.EscapeDataString(token)}?error=score");
                }

                var trimmed = comment?.Trim();
                if (trimmed?.Length > RecoveryCase.MaxTextLength)
                {
                    trimmed = trimmed[..RecoveryCase.MaxTextLength];
                }

                var result = await feedback.AnswerAsync(caseId.Value, score.Value, trimmed, ct);
                return Results.Redirect($"/feedback/{Uri.EscapeDataString(token)}?" + (result.IsSuccess ? "done=1" : "error=answered"));
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

        return app;
    }
}
