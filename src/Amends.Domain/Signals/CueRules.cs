using System.Globalization;
using System.Text.RegularExpressions;

namespace Amends.Domain.Signals;

/// <summary>
/// The rule cues: what in a signal says, in plain words, that a customer is unhappy or about to leave. Each rule has a
/// stable code, the sentence an agent reads, and the weight it adds to the risk. Text rules are whole-word patterns,
/// case-insensitive; a new rule is one line in <see cref="TextRules"/>.
/// </summary>
public static partial class CueRules
{
    /// <summary>A rule that looks for words in what the customer wrote.</summary>
    public sealed record TextRule(string Code, string Text, int Weight, Regex Pattern);

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled;

    private static TextRule Rule(string code, string text, int weight, string pattern) =>
        new(code, text, weight, new Regex(@"\b(?:" + pattern + @")\b", Options, TimeSpan.FromMilliseconds(250)));

    public static readonly IReadOnlyList<TextRule> TextRules =
    [
        Rule("churn", "Says they will leave: cancelling, closing the account or going elsewhere.", 30,
            @"cancel(?:l?ing|l?ed)?\s+(?:my|our|the)\s+(?:account|subscription|membership|contract|plan|service|order)s?"
            + @"|clos(?:e|ing)\s+(?:my|our)\s+account|switch(?:ing|ed)?\s+to|mov(?:e|ing)\s+to\s+(?:a\s+)?(?:another|different|competitor)"
            + @"|(?:take|taking)\s+(?:my|our)\s+business\s+elsewhere|never\s+(?:order|buy|shop|use|fly|book|come\s+back|return)\w*\b.{0,30}\bagain"
            + @"|(?:last|final)\s+time\s+I\s+(?:order|buy|use|shop)|done\s+with\s+(?:you|this\s+company)|unsubscribe\s+me|leaving\s+(?:you|for)"),
        Rule("refund", "Asks for their money back.", 15,
            @"refund(?:ed|s)?|money\s+back|reimburs\w+|compensat\w+|credit\s+(?:my|the)\s+account"),
        Rule("legal", "Mentions legal action, a regulator or a chargeback.", 35,
            @"lawyers?|attorneys?|solicitors?|sue|suing|legal\s+action|court|ombudsman|regulator|small\s+claims|trading\s+standards"
            + @"|chargebacks?|dispute\s+(?:the|this)\s+(?:charge|payment)|cfpb|consumer\s+protection|better\s+business\s+bureau|bbb|ftc"),
        Rule("manager", "Asks for a manager or someone more senior.", 20,
            @"(?:speak|talk)\w*\s+(?:to|with)\s+(?:a|your|the)\s+(?:manager|supervisor|boss)|your\s+(?:manager|supervisor|boss)|someone\s+(?:in\s+charge|senior)|escalat\w+\s+(?:this|my)"),
        Rule("public", "Threatens to go public: reviews, social media, the press.", 25,
            @"post(?:ing)?\s+(?:this|it)\s+(?:everywhere|online|on)|tell(?:ing)?\s+every(?:one|body)|social\s+media|twitter|facebook|tiktok|instagram|trustpilot"
            + @"|(?:bad|negative|1[\s-]star|one[\s-]star)\s+reviews?|(?:the\s+)?press|go(?:ing)?\s+viral|warn\s+(?:others|people|everyone)"),
        Rule("repeated", "Says it has happened or been asked before.", 20,
            @"(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+(?:st|nd|rd|th)?)\s+time|again\s+and\s+again|(?:several|many|multiple|numerous|\d+)\s+times"
            + @"|(?:as\s+)?I\s+(?:already|previously)\s+(?:said|told|asked|explained|reported)|yet\s+again|once\s+again|keeps?\s+happening"),
        Rule("waiting", "Has been waiting, or nobody got back to them.", 20,
            @"still\s+(?:no|not|nothing|haven'?t|hasn'?t|waiting|broken|missing)|on\s+hold\s+for|(?:no\s*one|nobody)\s+(?:has\s+)?(?:got|gotten|called|replied|responded|come)\s*(?:back)?"
            + @"|(?:waiting|waited)\s+(?:for\s+)?(?:over\s+|more\s+than\s+)?(?:\d+|a|an|two|three|four|five|several)\s+(?:minutes?|hours?|hrs?|days?|weeks?|months?)"
            + @"|never\s+(?:arrived|came|received|got\s+back|heard\s+back)|no\s+(?:response|reply|answer|update)s?"),
        Rule("broken", "Describes something broken, wrong or missing.", 10,
            @"broken|damaged|defective|faulty|doesn'?t\s+work|does\s+not\s+work|stopped\s+working|not\s+working|wrong\s+(?:item|order|size|product|charge|amount)"
            + @"|missing|charged\s+twice|double\s+charged|overcharged|lost\s+(?:my|the)\s+(?:parcel|package|order|luggage|bag)"),
    ];

    /// <summary>The cues in a text, each once, strongest first.</summary>
    public static List<(Cue Cue, int Weight)> InText(string? text)
    {
        var found = new List<(Cue, int)>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return found;
        }

        foreach (var rule in TextRules)
        {
            try
            {
                if (rule.Pattern.IsMatch(text))
                {
                    found.Add((new Cue(rule.Code, rule.Text), rule.Weight));
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological text: that rule says nothing rather than stalling ingestion.
            }
        }

        return [.. found.OrderByDescending(f => f.Item2)];
    }

    /// <summary>The detractor cue of a score, if it is one: NPS 0–6, CSAT 1–2, CES 5–7, a review of 3 stars or fewer.</summary>
    public static (Cue Cue, int Weight)? ForScore(SignalKind kind, SurveyType? type, int? score, int? rating) => kind switch
    {
        SignalKind.Survey when type == SurveyType.Nps && score is <= 6 and var s =>
            (new Cue("detractor", $"Gave an NPS of {s} out of 10 (a detractor)."), s <= 3 ? 40 : 25),
        SignalKind.Survey when type == SurveyType.Csat && score is <= 2 and var s =>
            (new Cue("detractor", $"Rated their satisfaction {s} out of 5."), s == 1 ? 40 : 30),
        SignalKind.Survey when type == SurveyType.Ces && score is >= 5 and var s =>
            (new Cue("detractor", $"Found it hard to get help: effort {s} out of 7."), s == 7 ? 35 : 25),
        SignalKind.Review when rating is <= 3 and var r =>
            (new Cue("bad_review", $"Posted a {r}-star review in public."), r switch { 1 => 45, 2 => 35, _ => 20 }),
        _ => null,
    };

    /// <summary>The cue of a behaviour event, if it says something is wrong.</summary>
    public static (Cue Cue, int Weight)? ForEvent(BehaviourEvent? behaviour, decimal? value = null) => behaviour switch
    {
        BehaviourEvent.PurchasesStopped => (new Cue("purchases_stopped",
            value is { } alive ? string.Create(CultureInfo.InvariantCulture, $"Bought regularly and has stopped: only {alive:P0} likely still a customer.") : "Bought regularly and has stopped."), 40),
        BehaviourEvent.SubscriptionCancelled => (new Cue("cancelled", "Cancelled their subscription."), 45),
        BehaviourEvent.OrderCancelled => (new Cue("cancelled", "Cancelled an order."), 25),
        BehaviourEvent.PaymentFailed => (new Cue("payment_failed", "A payment failed."), 15),
        BehaviourEvent.DeliveryLate => (new Cue("late", "A delivery was late."), 25),
        BehaviourEvent.UsageDropped => (new Cue("usage_dropped", "Uses the product much less than before."), 25),
        _ => null,
    };

    /// <summary>Three or more contacts within <see cref="RepeatWindow"/>: the customer keeps having to come back.</summary>
    public const int RepeatContacts = 3;

    public static readonly TimeSpan RepeatWindow = TimeSpan.FromDays(7);

    /// <summary>The customer's own usual rate of contact is read from this long before the 7 days.</summary>
    public static readonly TimeSpan BaselineWindow = TimeSpan.FromDays(91);

    /// <summary>A count of contacts that rare under the customer's own usual rate is a spike (a one-sided Poisson test).</summary>
    public const double ContactSpikeAlpha = 0.01;

    /// <summary>
    /// Three or more contacts in 7 days that are also a spike against the customer's own rhythm: a customer who writes
    /// every day (a business account, say) is not flagged for writing three times in a week, one who never writes is.
    /// Null when it is not.
    /// </summary>
    public static (Cue Cue, int Weight)? RepeatedContact(int contacts, int priorContacts = 0)
    {
        if (contacts < RepeatContacts)
        {
            return null;
        }

        var weekly = priorContacts * RepeatWindow.TotalDays / BaselineWindow.TotalDays;
        if (SpikeChart.UpperTail(contacts, (priorContacts + 0.5) * RepeatWindow.TotalDays / BaselineWindow.TotalDays) > ContactSpikeAlpha)
        {
            return null;
        }

        var usual = priorContacts == 0 ? ""
            : weekly >= 1 ? string.Create(CultureInfo.InvariantCulture, $", where about {weekly:0.#} a week is usual for them")
            : string.Create(CultureInfo.InvariantCulture, $", where about once in {Math.Round(1 / weekly):0} weeks is usual for them");
        return (new Cue("repeat_contact", $"Contacted us {contacts} times in 7 days{usual}."), 25);
    }

    /// <summary>Whether a signal counts as the customer contacting us.</summary>
    public static bool IsContact(SignalKind kind, BehaviourEvent? behaviour) => kind == SignalKind.Message || behaviour == BehaviourEvent.Contact;
}
