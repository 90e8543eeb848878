using System.Text.RegularExpressions;

namespace Amends.Domain.Playbooks;

/// <summary>
/// The gaps a playbook message leaves for the agent, written in square brackets in lower case (<c>[what has happened]</c>).
/// A message to the customer is not sent while one is left. Brackets with other text (<c>[1]</c>, <c>[Order 5521]</c>) are
/// the agent's own and pass.
/// </summary>
public static partial class TemplatePlaceholders
{
    /// <summary>The first placeholder left in <paramref name="text"/>, with its brackets; null when there is none.</summary>
    public static string? First(string? text) => text is null ? null : Placeholder().Match(text) is { Success: true } m ? m.Value : null;

    [GeneratedRegex(@"\[[a-z][a-z'’ -]{2,60}\]", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Placeholder();
}
