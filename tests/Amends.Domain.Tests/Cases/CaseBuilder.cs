using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Microsoft.Extensions.Time.Testing;

namespace Amends.Domain.Tests.Cases;

/// <summary>Builds cases in a given state through the domain's own methods, on a fake clock.</summary>
internal sealed class CaseBuilder
{
    public static readonly Actor Anna = new(new UserId(Guid.Parse("00000000-0000-0000-0000-0000000000a1")), "Anna Agent");
    public static readonly Actor Ben = new(new UserId(Guid.Parse("00000000-0000-0000-0000-0000000000b2")), "Ben Agent");

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public Customer Customer(ValueTier tier = ValueTier.Standard) =>
        Amends.Domain.Customers.Customer.Register("Chris Customer", "chris@example.com", null, Clock.GetUtcNow(), tier).Value;

    public RecoveryCase New(Severity severity = Severity.Medium, Channel channel = Channel.Email) =>
        RecoveryCase.Open(Customer(), FailureCategory.LateDelivery, severity, channel, "Parcel is a week late", null, Clock.GetUtcNow()).Value;

    public RecoveryCase In(CaseStatus status)
    {
        var c = New();
        if (status == CaseStatus.New)
        {
            return c;
        }

        Step(() => c.Acknowledge(Anna, Now()));
        if (status == CaseStatus.Acknowledged)
        {
            return c;
        }

        Step(() => c.StartResolving(Anna, Now()));
        if (status == CaseStatus.Resolving)
        {
            return c;
        }

        if (status == CaseStatus.WaitingOnCustomer)
        {
            Step(() => c.WaitForCustomer(Anna, Now(), "Asked for the order number"));
            return c;
        }

        Step(() => c.Resolve(Anna, Now(), "Apologised and explained", apologyOnly: true));
        if (status == CaseStatus.Resolved)
        {
            return c;
        }

        Step(() => c.Close(Anna, Now(), CaseOutcome.Withdrawn, null));
        return c;
    }

    public DateTimeOffset Now()
    {
        Clock.Advance(TimeSpan.FromMinutes(5));
        return Clock.GetUtcNow();
    }

    private static void Step(Func<DomainError?> action)
    {
        var error = action();
        Assert.Null(error);
    }
}
