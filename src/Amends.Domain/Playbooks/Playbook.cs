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
    int FollowUpReminders,
    IReadOnlyDictionary<string, IReadOnlyDictionary<TemplateKind, string>>? Translations = null);

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

    public const int MaxLanguages = 20;

    /// <summary>
    /// The template of <paramref name="kind"/> in <paramref name="language"/> where the playbook has it (the exact tag,
    /// then its first part: <c>pt-br</c>, then <c>pt</c>), else the playbook's own.
    /// </summary>
    public string TemplateFor(TemplateKind kind, string? language)
    {
        if (language is { Length: > 0 } tag && Content.Translations is { } translations)
        {
            foreach (var candidate in new[] { tag, tag.Split('-')[0] })
            {
                if (translations.TryGetValue(candidate, out var templates) && templates.TryGetValue(kind, out var translated) && !string.IsNullOrWhiteSpace(translated))
                {
                    return translated;
                }
            }
        }

        return Content.Templates.TryGetValue(kind, out var template) ? template : "";
    }

    /// <summary>Fills a template's merge fields; a field without a value becomes its fallback, e.g. "there" for a nameless customer.</summary>
    public string Render(TemplateKind kind, IReadOnlyDictionary<string, string?> values, string? language = null) =>
        TemplateFor(kind, language) is { Length: > 0 } template ? Fill(template, values) : "";

    /// <summary>Fills any text's merge fields (<c>{{name|fallback}}</c>) from <paramref name="values"/>.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string?> values) => MergeField().Replace(template, m =>
    {
        var name = m.Groups["name"].Value;
        var fallback = m.Groups["fallback"].Success ? m.Groups["fallback"].Value : "";
        return values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : fallback;
    });

    /// <summary>The first merge field in <paramref name="template"/> that is not one of <paramref name="allowed"/>, or null.</summary>
    public static string? UnknownMergeField(string template, IReadOnlyCollection<string> allowed) =>
        MergeField().Matches(template).Select(m => m.Groups["name"].Value).FirstOrDefault(n => !allowed.Contains(n));

    private static DomainError? CheckMergeFields(string template, string field)
    {
        var unknown = MergeField().Matches(template).Select(m => m.Groups["name"].Value).FirstOrDefault(n => !MergeFields.Contains(n));
        return unknown is null
            ? null
            : DomainError.Invalid("playbook.merge_field_unknown", field, $"{{{{{unknown}}}}} is not a merge field; use {string.Join(", ", MergeFields.Select(f => "{{" + f + "}}"))}.");
    }

    /// <summary>Each language a tag such as <c>de</c> or <c>pt-br</c> (lower case), with any of the messages (the others fall back to the playbook's own).</summary>
    private static DomainError? ValidateTranslations(IReadOnlyDictionary<string, IReadOnlyDictionary<TemplateKind, string>>? translations)
    {
        if (translations is null)
        {
            return null;
        }

        if (translations.Count > MaxLanguages)
        {
            return DomainError.Invalid("playbook.translations_too_many", "translations", $"A playbook has messages in at most {MaxLanguages} languages.");
        }

        foreach (var (tag, templates) in translations)
        {
            if (tag.Length > 8 || !LanguageTag.IsValid(tag) || templates is null)
            {
                return DomainError.Invalid("playbook.language_invalid", "translations", $"'{tag}' is not a language tag such as de, fr or pt-br (lower case).");
            }

            foreach (var (kind, template) in templates)
            {
                var field = $"translations.{tag}.{kind}";
                if (!Enum.IsDefined(kind) || string.IsNullOrWhiteSpace(template) || template.Length > MaxTemplateLength)
                {
                    return DomainError.Invalid("playbook.template_invalid", field, $"The {tag} {kind} message is empty or longer than {MaxTemplateLength} characters (leave it out to use the playbook's own).");
                }

                if (CheckMergeFields(template, field) is { } unknown)
                {
                    return unknown;
                }
            }
        }

        return null;
    }

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

            if (CheckMergeFields(template, $"templates.{kind}") is { } unknown)
            {
                return unknown;
            }
        }

        if (ValidateTranslations(content.Translations) is { } translation)
        {
            return translation;
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
