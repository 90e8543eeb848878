namespace Amends.Web.Infrastructure;

/// <summary>CSV as RFC 4180 wants it, and safe to open in a spreadsheet.</summary>
public static class Csv
{
    /// <summary>Quotes a text field, and defuses a leading =, +, - or @ so a spreadsheet never runs it as a formula.</summary>
    public static string Field(string text)
    {
        var safe = text.Length > 0 && "=+-@".Contains(text[0], StringComparison.Ordinal) ? "'" + text : text;
        return "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
