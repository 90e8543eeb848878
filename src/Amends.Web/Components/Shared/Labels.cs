using Amends.Domain.Cases;

namespace Amends.Web.Components.Shared;

/// <summary>The words the UI uses for domain values, in one place.</summary>
public static class Labels
{
    public static string Escalation(EscalationReason? reason) => reason switch
    {
        EscalationReason.SlaBreach => "SLA breached",
        EscalationReason.RepeatFailure => "Repeat failure",
        EscalationReason.CustomerAskedForManager => "Customer asked for a manager",
        EscalationReason.VeryHighPriority => "Very high priority",
        EscalationReason.OwnerAskedForHelp => "Owner asked for help",
        _ => "",
    };
}
