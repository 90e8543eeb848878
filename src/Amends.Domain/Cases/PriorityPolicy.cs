using Amends.Domain.Common;
using Amends.Domain.Customers;

namespace Amends.Domain.Cases;

/// <summary>
/// Priority = severity × customer value × publicity × repeat failure, as a points sum: severity gives 1–4 points,
/// a Gold or Platinum customer 1 or 2, a public channel (social, review) 1, a repeat failure 1.
/// 0–2 points is Low, 3–4 Normal, 5 High, 6 or more Urgent.
/// </summary>
public static class PriorityPolicy
{
    public static Priority Compute(Severity severity, ValueTier tier, Channel channel, bool repeatFailure)
    {
        var points = (int)severity
            + tier switch { ValueTier.Gold => 1, ValueTier.Platinum => 2, _ => 0 }
            + (channel is Channel.Social or Channel.Review ? 1 : 0)
            + (repeatFailure ? 1 : 0);
        return points switch
        {
            <= 2 => Priority.Low,
            <= 4 => Priority.Normal,
            5 => Priority.High,
            _ => Priority.Urgent,
        };
    }
}
