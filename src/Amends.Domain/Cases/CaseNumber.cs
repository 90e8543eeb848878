using System.Globalization;

namespace Amends.Domain.Cases;

/// <summary>
/// The short human reference of a case, <c>AM-10423</c>: sequential per deployment, assigned by the database when the
/// case is first saved (a sequence on PostgreSQL, so several instances never hand out one number twice).
/// </summary>
public static class CaseNumber
{
    public const string Prefix = "AM-";

    /// <summary>The first number a new deployment hands out.</summary>
    public const long First = 10001;

    public static string Format(long number) => Prefix + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads <c>AM-10423</c>, <c>am-10423</c>, <c>#10423</c> or <c>10423</c>; null when the text is not a case number.</summary>
    public static long? Parse(string? text)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t))
        {
            return null;
        }

        if (t.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            t = t[Prefix.Length..];
        }
        else if (t.StartsWith('#'))
        {
            t = t[1..];
        }

        return t.Length is > 0 and <= 18 && t.All(char.IsAsciiDigit) && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : null;
    }
}
