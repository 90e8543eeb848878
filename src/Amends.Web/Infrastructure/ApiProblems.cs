using Amends.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Amends.Web.Infrastructure;

/// <summary>The one place a <see cref="DomainError"/> becomes an RFC 9457 ProblemDetails response.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult ToProblem(this DomainError error)
    {
        var status = error.Kind switch
        {
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Conflict => StatusCodes.Status409Conflict,
            ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        };
        var title = error.Kind switch
        {
            ErrorKind.NotFound => "Not found",
            ErrorKind.Conflict => "Conflict with the current state",
            ErrorKind.Forbidden => "Not allowed",
            _ => "The request is not valid",
        };
        ProblemDetails problem = error.Field is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(new Dictionary<string, string[]> { [error.Field] = [error.Message] });
        problem.Status = status;
        problem.Title = title;
        problem.Detail = error.Message;
        problem.Type = $"https://amends.dev/problems/{error.Code}";
        problem.Extensions["code"] = error.Code;
        return TypedResults.Problem(problem);
    }

    /// <summary>
    /// Writes a problem from middleware (no endpoint, so no <see cref="ProblemHttpResult"/>): the same shape, type and
    /// code as every other, through the app's <see cref="IProblemDetailsService"/> (which adds the trace id).
    /// </summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = detail,
                Type = $"https://amends.dev/problems/{code}",
                Extensions = { ["code"] = code },
            },
        }).AsTask();
    }

    /// <summary>A stale write: someone changed the record after the caller read it.</summary>
    public static DomainError Stale(string what) => DomainError.Conflict(
        "concurrency.stale",
        $"This {what} was changed by someone else since you loaded it. Reload and try again.");
}
