namespace Amends.Web.Components.Shared;

/// <summary>Short relative times for lists ("5m", "3h", "2d"); the exact UTC time goes in a tooltip.</summary>
public static class Ago
{
    public static string Since(DateTime utc, DateTimeOffset now)
    {
        var span = now.UtcDateTime - utc;
        if (span < TimeSpan.FromMinutes(1))
        {
            return "now";
        }

        if (span < TimeSpan.FromHours(1))
        {
            return $"{(int)span.TotalMinutes}m";
        }

        return span < TimeSpan.FromDays(1) ? $"{(int)span.TotalHours}h" : $"{(int)span.TotalDays}d";
    }

    /// <summary>"just now", "5m ago", "3h ago".</summary>
    public static string Phrase(DateTime utc, DateTimeOffset now) => Since(utc, now) is var since && since == "now" ? "just now" : since + " ago";

    public static string Exact(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
