using System.Text.RegularExpressions;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Sla;

namespace Amends.Domain.Playbooks;

/// <summary>The kinds of remedy a playbook may recommend (the remedy catalogue prices them).</summary>
public enum RemedyType
{
    Refund,
    Replacement,
    Repair,
    Discount,
    Gesture,
    ApologyOnly,
}

/// <summary>The messages every playbook has, in the order a case needs them.</summary>
public enum TemplateKind
{
    Acknowledgement,
    ProgressUpdate,
    Resolution,
    FollowUp,
}

/// <summary>SLA targets of one priority, in business hours (the form admins edit).</summary>
public sealed record SlaHours(double AcknowledgeHours, double UpdateHours, double ResolveHours)
{
    public SlaTargets ToTargets() => new(TimeSpan.FromHours(AcknowledgeHours), TimeSpan.FromHours(UpdateHours), TimeSpan.FromHours(ResolveHours));
}

/// <summary>What a playbook says, as an admin edits it; a saved edit becomes a new version.</summary>
public sealed record PlaybookContent(
    string Name,
    IReadOnlyList<string> Steps,
    IReadOnlyDictionary<TemplateKind, string> Templates,
    IReadOnlyList<RemedyType> RecommendedRemedies,
    IReadOnlyDictionary<Priority, SlaHours> Sla,
    double FollowUpAfterDays,
    int FollowUpReminders);

/// <summary>
/// "Design for failure": for one failure category, the steps to follow, the messages to send, the remedies to offer and
/// the SLA. Immutable once saved: editing makes version n+1, and a case keeps the version it started with.
/// </summary>
public sealed partial class Playbook
{
    public const int MaxSteps = 30;
    public const int MaxTemplateLength = 4000;

    private Playbook()
    {
        Content = null!;
    }

    public Guid Id { get; private set; }

    public FailureCategory Category { get; private set; }

    /// <summary>1 for the first version of a category, then one more for each edit.</summary>
    public int Version { get; private set; }

    public PlaybookContent Content { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public UserId? CreatedBy { get; private set; }

    /// <summary>The merge fields a template may use; anything else in double braces is an error.</summary>
    public static IReadOnlyList<string> MergeFields { get; } =
        ["customer.name", "customer.firstName", "owner.name", "case.summary", "case.reference", "team.name", "resolveBy", "nextUpdateBy"];

    public SlaPolicy SlaPolicy => new(Content.Sla.ToDictionary(p => p.Key, p => p.Value.ToTargets()));

    public TimeSpan FollowUpAfter => TimeSpan.FromDays(Content.FollowUpAfterDays);

    public static Result<Playbook> Create(FailureCategory category, int version, PlaybookContent content, UserId? by, DateTimeOffset now)
    {
        var error = Validate(content);
        return error is not null
            ? error
            : Result<Playbook>.Ok(new Playbook
            {
                Id = Guid.CreateVersion7(now),
                Category = category,
                Version = version,
                Content = content with { Name = content.Name.Trim(), Steps = [.. content.Steps.Select(s => s.Trim()).Where(s => s.Length > 0)] },
                CreatedAt = now.UtcDateTime,
                CreatedBy = by,
            });
    }

    /// <summary>Fills a template's merge fields; a field without a value becomes its fallback, e.g. "there" for a nameless customer.</summary>
    public string Render(TemplateKind kind, IReadOnlyDictionary<string, string?> values) =>
        Content.Templates.TryGetValue(kind, out var template)
            ? MergeField().Replace(template, m =>
            {
                var name = m.Groups["name"].Value;
                var fallback = m.Groups["fallback"].Success ? m.Groups["fallback"].Value : "";
                return values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : fallback;
            })
            : "";

    private static DomainError? Validate(PlaybookContent content)
    {
        if (string.IsNullOrWhiteSpace(content.Name) || content.Name.Length > 100)
        {
            return DomainError.Invalid("playbook.name_invalid", "name", "A playbook needs a name of up to 100 characters.");
        }

        var steps = content.Steps.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (steps.Count == 0 || steps.Count > MaxSteps || steps.Any(s => s.Length > 300))
        {
            return DomainError.Invalid("playbook.steps_invalid", "steps", $"List 1 to {MaxSteps} steps of up to 300 characters.");
        }

        foreach (var kind in Enum.GetValues<TemplateKind>())
        {
            if (!content.Templates.TryGetValue(kind, out var template) || string.IsNullOrWhiteSpace(template) || template.Length > MaxTemplateLength)
            {
                return DomainError.Invalid("playbook.template_missing", $"templates.{kind}", $"The {kind} message is missing or longer than {MaxTemplateLength} characters.");
            }

            var unknown = MergeField().Matches(template).Select(m => m.Groups["name"].Value).FirstOrDefault(n => !MergeFields.Contains(n));
            if (unknown is not null)
            {
                return DomainError.Invalid("playbook.merge_field_unknown", $"templates.{kind}",
                    $"{{{{{unknown}}}}} is not a merge field; use {string.Join(", ", MergeFields.Select(f => "{{" + f + "}}"))}.");
            }
        }

        foreach (var priority in Enum.GetValues<Priority>())
        {
            if (!content.Sla.TryGetValue(priority, out var sla) || sla.AcknowledgeHours <= 0 || sla.UpdateHours <= 0 || sla.ResolveHours <= 0
                || sla.AcknowledgeHours > sla.ResolveHours)
            {
                return DomainError.Invalid("playbook.sla_invalid", $"sla.{priority}",
                    $"Give {priority} positive targets, with the first response no later than the resolution.");
            }
        }

        if (content.FollowUpAfterDays is < 0 or > 60 || content.FollowUpReminders is < 0 or > 5)
        {
            return DomainError.Invalid("playbook.follow_up_invalid", "followUpAfterDays", "The follow-up goes out 0 to 60 days after resolution, with 0 to 5 reminders.");
        }

        return null;
    }

    [GeneratedRegex(@"\{\{\s*(?<name>[a-zA-Z\.]+)\s*(\|\s*(?<fallback>[^}]*?)\s*)?\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex MergeField();
}
