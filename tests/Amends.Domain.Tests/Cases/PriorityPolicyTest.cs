using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;

namespace Amends.Domain.Tests.Cases;

public sealed class PriorityPolicyTest
{
    [Theory]
    [InlineData(Severity.Low, ValueTier.Standard, Channel.Email, false, Priority.Low)]
    [InlineData(Severity.Medium, ValueTier.Standard, Channel.Email, false, Priority.Low)]
    [InlineData(Severity.High, ValueTier.Standard, Channel.Email, false, Priority.Normal)]
    [InlineData(Severity.Medium, ValueTier.Standard, Channel.Review, true, Priority.Normal)]
    [InlineData(Severity.Critical, ValueTier.Gold, Channel.Email, false, Priority.High)]
    [InlineData(Severity.High, ValueTier.Platinum, Channel.Social, false, Priority.Urgent)]
    [InlineData(Severity.Critical, ValueTier.Platinum, Channel.Social, true, Priority.Urgent)]
    public void Priority_sums_severity_value_publicity_and_repeat(Severity severity, ValueTier tier, Channel channel, bool repeat, Priority expected)
    {
        Assert.Equal(expected, PriorityPolicy.Compute(severity, tier, channel, repeat));
    }
}
