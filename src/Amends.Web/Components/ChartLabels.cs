using System.Net;

namespace Amends.Web.Components;

/// <summary>
/// MudChart writes its category labels into the SVG as markup, not text: a team or user called
/// <c>&lt;img src=x onerror=…&gt;</c> would run in every supervisor's browser. Every label goes through here.
/// </summary>
public static class ChartLabels
{
    public static string[] From(IEnumerable<string> names) => [.. names.Select(name => WebUtility.HtmlEncode(name))];
}
