using System.Globalization;
using Amends.Domain.Common;

namespace Amends.Web.Components.Shared;

/// <summary>Amounts as people type and read them ("25", "25.50"), converted exactly to and from minor units.</summary>
public static class MoneyText
{
    public static string Show(long minor, string currency) => new Money(minor, currency).ToString();

    public static string? Show(long? minor, string currency) => minor is { } m ? Show(m, currency) : null;

    /// <summary>"25.5" in EUR is 2550. Uses decimal arithmetic, never binary floating point; more decimals than the currency has is an error.</summary>
    public static bool TryParse(string? text, string currency, out long minor)
    {
        minor = 0;
        if (string.IsNullOrWhiteSpace(text) || !decimal.TryParse(text.Trim().Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        var scaled = value * (decimal)Math.Pow(10, Money.DigitsOf(currency));
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue)
        {
            return false;
        }

        minor = (long)scaled;
        return true;
    }

    /// <summary>The amount in major units for an input field: 2550 in EUR is "25.50".</summary>
    public static string Input(long minor, string currency)
    {
        var digits = Money.DigitsOf(currency);
        return digits == 0 ? minor.ToString(CultureInfo.InvariantCulture) : (minor / (decimal)Math.Pow(10, digits)).ToString("0." + new string('0', digits), CultureInfo.InvariantCulture);
    }
}
