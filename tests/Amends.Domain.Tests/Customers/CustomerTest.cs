using Amends.Domain.Common;
using Amends.Domain.Customers;

namespace Amends.Domain.Tests.Customers;

public sealed class CustomerTest
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Registers_with_a_lower_cased_email_and_prefers_the_first_channel()
    {
        var customer = Customer.Register("  Dana Doe ", "Dana.Doe@Example.COM", "+44 7700 900123", Now).Value;

        Assert.Equal("Dana Doe", customer.Name);
        Assert.Equal("dana.doe@example.com", customer.Email);
        Assert.Equal(Channel.Email, customer.PreferredChannel);
        Assert.Equal(2, customer.AllContactPoints().Count());
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("a@b")]
    [InlineData("two@@example.com")]
    public void Rejects_an_invalid_email(string email)
    {
        var error = Customer.Register("Dana", email, null, Now).Error!;

        Assert.Equal("customer.email_invalid", error.Code);
        Assert.Equal("email", error.Field);
    }

    [Theory]
    [InlineData("call me")]
    [InlineData("12")]
    public void Rejects_an_invalid_phone(string phone)
    {
        Assert.Equal("customer.phone_invalid", Customer.Register("Dana", null, phone, Now).Error!.Code);
    }

    [Fact]
    public void Needs_a_name()
    {
        Assert.Equal("customer.name_required", Customer.Register(" ", null, null, Now).Error!.Code);
    }

    [Fact]
    public void Cannot_prefer_a_channel_without_a_contact_point_on_it()
    {
        var error = Customer.Register("Dana", "dana@example.com", null, Now, preferredChannel: Channel.Sms).Error!;

        Assert.Equal("customer.preferred_channel_unreachable", error.Code);
    }

    [Fact]
    public void Keeps_one_contact_point_per_other_channel()
    {
        var customer = Customer.Register("Dana", null, null, Now, otherContactPoints:
            [new ContactPoint(Channel.Social, "@old"), new ContactPoint(Channel.Social, "@dana"), new ContactPoint(Channel.Sms, "+44 7700 900999")]).Value;

        Assert.Equal(["@dana", "+44 7700 900999"], customer.ContactPoints.Select(p => p.Address));
        Assert.Equal(Channel.Social, customer.PreferredChannel);
    }
}
