using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Amends.Web.Infrastructure;

/// <summary>
/// Turns a request the framework could not read (malformed JSON, a wrong type, an unknown enum value, a body over the
/// size limit) into a ProblemDetails that says which field is wrong and what it accepts, instead of a bare 400.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var status = bad.StatusCode;
        string code;
        string detail;
        Dictionary<string, string[]>? errors = null;
        if (status == StatusCodes.Status413PayloadTooLarge)
        {
            code = "request.too_large";
            detail = AmendsApp.TooLarge(httpContext);
        }
        else if (FindJsonException(bad) is { } json)
        {
            var field = FieldOf(json.Path);
            var target = ConvertedTo().Match(json.Message);
            var message = json.Message.StartsWith(EnumNameConverterFactory.HintPrefix, StringComparison.Ordinal)
                ? json.Message.Split(" Path:", 2)[0]
                : target.Success
                    ? "The value has the wrong type."
                    : "The JSON is malformed here.";
            var invalidValue = target.Success || message.StartsWith(EnumNameConverterFactory.HintPrefix, StringComparison.Ordinal);
            code = invalidValue ? "request.invalid_value" : "request.malformed_json";
            detail = field is null ? message : $"'{field}': {message}";
            errors = new Dictionary<string, string[]> { [field ?? "body"] = [message] };
        }
        else
        {
            code = "request.unreadable";
            detail = bad.Message;
        }

        var problem = errors is null
            ? new Microsoft.AspNetCore.Mvc.ProblemDetails()
            : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = status == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "The request could not be read";
        problem.Detail = detail;
        problem.Type = $"https://amends.dev/problems/{code}";
        problem.Extensions["code"] = code;
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static JsonException? FindJsonException(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary>"$.lifetimeValue.minor" → "lifetimeValue.minor"; "$" or nothing → null.</summary>
    private static string? FieldOf(string? path) =>
        path is null || path == "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    [GeneratedRegex(@"could not be converted to (\S+?)\.? Path", RegexOptions.CultureInvariant)]
    private static partial Regex ConvertedTo();
}
