using Amends.Domain.Common;

namespace Amends.Domain.Tests.Common;

public sealed class MoneyTest
{
    [Theory]
    [InlineData(1250, "EUR", "EUR 12.50")]
    [InlineData(-5, "USD", "USD -0.05")]
    [InlineData(123456789, "GBP", "GBP 1,234,567.89")]
    [InlineData(1500, "JPY", "JPY 1,500")]
    [InlineData(1234, "KWD", "KWD 1.234")]
    public void Formats_with_the_currency_s_own_decimals(long minor, string currency, string expected)
    {
        Assert.Equal(expected, new Money(minor, currency).ToString());
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("EU")]
    [InlineData("EURO")]
    [InlineData("")]
    public void Rejects_a_currency_that_is_not_an_ISO_code(string currency)
    {
        Assert.Throws<ArgumentException>(() => new Money(1, currency));
        Assert.False(Money.IsCurrencyCode(currency));
    }

    [Fact]
    public void Adds_and_subtracts_in_one_currency()
    {
        var sum = new Money(1000, "EUR") + new Money(250, "EUR") - new Money(50, "EUR");

        Assert.Equal(new Money(1200, "EUR"), sum);
    }

    [Fact]
    public void Refuses_to_mix_currencies()
    {
        Assert.Throws<InvalidOperationException>(() => new Money(1, "EUR") + new Money(1, "USD"));
    }

    [Fact]
    public void Overflow_is_an_error_not_a_wrap_around()
    {
        Assert.Throws<OverflowException>(() => new Money(long.MaxValue, "EUR") + new Money(1, "EUR"));
    }
}
