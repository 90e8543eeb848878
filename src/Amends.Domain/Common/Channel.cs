namespace Amends.Domain.Common;

/// <summary>A way to reach a customer, or the way a case reached us.</summary>
public enum Channel
{
    Email,
    Phone,
    Sms,
    Chat,
    Social,
    Review,
    Web,
    InPerson,
}
