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
    /// Several field errors at once (a request with more than one fault says all of them): one 400 with every field's
    /// messages under <c>errors</c> and <paramref name="code"/>; a single error is answered as itself.
    /// </summary>
    public static ProblemHttpResult ToProblem(this IReadOnlyList<DomainError> errors, string code)
    {
        if (errors.Count == 1)
        {
            return errors[0].ToProblem();
        }

        return TypedResults.Problem(new HttpValidationProblemDetails(Fields(errors))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid",
            Detail = string.Join(" ", errors.Select(e => e.Message)),
            Type = $"https://amends.dev/problems/{code}",
            Extensions = { ["code"] = code },
        });
    }

    /// <summary>Field errors as ProblemDetails carries them: field name to its messages.</summary>
    public static Dictionary<string, string[]> Fields(IEnumerable<DomainError> errors) =>
        errors.GroupBy(e => e.Field ?? "").ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());

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
