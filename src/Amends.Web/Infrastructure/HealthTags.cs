using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Amends.Web.Infrastructure;

internal static class HealthTags
{
    public const string Ready = "ready";

    /// <summary>Readiness as JSON: the overall status and each check's status and description (never an exception's text).</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
