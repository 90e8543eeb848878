using Amends.Domain.Customers;

namespace Amends.Domain.Signals;

/// <summary>What the risk of a signal is taken from, besides the signal itself.</summary>
/// <summary>
/// What a signal's risk needs of its customer's past: their tier, a failure within 90 days, their contacts in the 7 days
/// up to it (it included) and in the <see cref="CueRules.BaselineWindow"/> before those (their own usual rate).
/// </summary>
public sealed record RiskContext(ValueTier Tier, bool RepeatFailure, int RecentContacts, int PriorContacts = 0);

/// <summary>
/// The risk of a signal, 0–100, from what the customer wrote (the text score), the rule cues, how public it is, the
/// customer's value and whether they have been failed before. The strongest cue counts in full and the others by half,
/// so five mild cues do not outweigh one clear one; value, publicity and a repeat failure only raise a risk that is
/// already there (a happy Platinum customer is not at risk).
/// </summary>
public static class RiskScorer
{
    /// <summary>A text score at or below this reads as neutral or content and adds nothing.</summary>
    public const double NeutralText = 0.5;

    /// <summary>The most a text score adds from the fast model: on its own, it never opens a case (60).</summary>
    public const int FastTextWeight = 50;

    /// <summary>
    /// The most a text score adds from the sentence model, which reads meaning and is measured far better: a text it reads
    /// as plainly unhappy (0.93 or more) opens a case on its own, with no cue word in it.
    /// </summary>
    public const int ModelTextWeight = 70;

    public static (List<Cue> Cues, RiskAssessment Risk) Assess(Signal signal, double? textScore, RiskContext context, int textWeight = FastTextWeight)
    {
        var weighted = CueRules.InText(signal.Text);
        if (CueRules.ForScore(signal.Kind, signal.SurveyType, signal.Score, signal.Rating) is { } score)
        {
            weighted.Insert(0, score);
        }

        if (CueRules.ForEvent(signal.Event, signal.Value) is { } behaviour)
        {
            weighted.Insert(0, behaviour);
        }

        if (CueRules.IsContact(signal.Kind, signal.Event) && CueRules.RepeatedContact(context.RecentContacts, context.PriorContacts) is { } repeated)
        {
            weighted.Add(repeated);
        }

        weighted = [.. weighted.OrderByDescending(w => w.Weight)];
        var fromCues = weighted.Select((w, i) => i == 0 ? w.Weight : w.Weight / 2.0).Sum();
        var fromText = textScore is { } s && s > NeutralText ? textWeight * (s - NeutralText) / (1 - NeutralText) : 0;
        var basis = fromCues + fromText;
        var publicity = signal.Kind == SignalKind.Review || signal.Channel == Common.Channel.Social;
        var raise = basis <= 0 ? 0
            : (publicity ? 10 : 0) + (context.RepeatFailure ? 10 : 0) + context.Tier switch
            {
                ValueTier.Platinum => 15,
                ValueTier.Gold => 10,
                ValueTier.Silver => 5,
                _ => 0,
            };
        var risk = (int)Math.Clamp(Math.Round(basis + raise, MidpointRounding.AwayFromZero), 0, 100);

        var reasons = weighted.Select(w => w.Cue.Text.TrimEnd('.')).ToList();
        if (fromText > 0)
        {
            reasons.Add(textScore >= 0.85 ? "what they wrote reads as very unhappy" : textScore >= 0.7 ? "what they wrote reads as unhappy" : "what they wrote reads as a little unhappy");
        }

        if (raise > 0)
        {
            if (context.Tier is not ValueTier.Standard)
            {
                reasons.Add($"a {context.Tier} customer");
            }

            if (context.RepeatFailure)
            {
                reasons.Add("failed before within 90 days");
            }
        }

        var reason = reasons.Count == 0
            ? "Nothing in it suggests a problem."
            : Sentence(reasons) + ".";
        return ([.. weighted.Select(w => w.Cue)], new RiskAssessment(risk, reason));
    }

    private static string Sentence(List<string> parts)
    {
        // The first part starts the sentence; the others go lower-case unless they start with a name ("NPS").
        var lowered = parts.Select((p, i) => i == 0 ? char.ToUpperInvariant(p[0]) + p[1..]
            : p.Length < 2 || char.IsUpper(p[1]) ? p : char.ToLowerInvariant(p[0]) + p[1..]).ToList();
        return lowered.Count == 1 ? lowered[0] : string.Join("; ", lowered);
    }
}
