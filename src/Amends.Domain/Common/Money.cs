using System.Globalization;

namespace Amends.Domain.Common;

/// <summary>
/// An amount of money: <see cref="Minor"/> is in the currency's minor units (cents for EUR/USD, yen for JPY),
/// <see cref="Currency"/> an upper-case ISO 4217 code. Never a floating point value.
/// </summary>
public readonly record struct Money
{
    private static readonly Dictionary<string, int> MinorDigits = new(StringComparer.Ordinal)
    {
        ["JPY"] = 0, ["KRW"] = 0, ["ISK"] = 0, ["CLP"] = 0, ["VND"] = 0,
        ["BHD"] = 3, ["KWD"] = 3, ["OMR"] = 3, ["JOD"] = 3, ["TND"] = 3,
    };

    public Money(long minor, string currency)
    {
        if (currency is null || currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
        {
            throw new ArgumentException("Currency must be a three-letter upper-case ISO 4217 code.", nameof(currency));
        }

        Minor = minor;
        Currency = currency;
    }

    public long Minor { get; }

    public string Currency { get; }

    public static Money Zero(string currency) => new(0, currency);

    /// <summary>Validates a currency code without throwing.</summary>
    public static bool IsCurrencyCode(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);

    public static int DigitsOf(string currency) => MinorDigits.GetValueOrDefault(currency, 2);

    public Money Add(Money other)
    {
        EnsureSameCurrency(other);
        return new Money(checked(Minor + other.Minor), Currency);
    }

    public Money Subtract(Money other)
    {
        EnsureSameCurrency(other);
        return new Money(checked(Minor - other.Minor), Currency);
    }

    public static Money operator +(Money a, Money b) => a.Add(b);

    public static Money operator -(Money a, Money b) => a.Subtract(b);

    /// <summary>"EUR 12.50": the amount with the currency's own number of decimals, invariant culture.</summary>
    public override string ToString()
    {
        var digits = DigitsOf(Currency);
        if (digits == 0)
        {
            return $"{Currency} {Minor.ToString("N0", CultureInfo.InvariantCulture)}";
        }

        var factor = (long)Math.Pow(10, digits);
        var sign = Minor < 0 ? "-" : "";
        var abs = Math.Abs(Minor);
        var whole = (abs / factor).ToString("N0", CultureInfo.InvariantCulture);
        var fraction = (abs % factor).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
        return $"{Currency} {sign}{whole}.{fraction}";
    }

    private void EnsureSameCurrency(Money other)
    {
        if (!string.Equals(Currency, other.Currency, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Cannot combine {Currency} with {other.Currency}.");
        }
    }
}
