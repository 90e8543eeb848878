using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Signals;

namespace Amends.Domain.Tests.Signals;

public sealed class DetectionRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static Signal Make(SignalKind kind, string? text = null, SurveyType? type = null, int? score = null, int? rating = null, BehaviourEvent? behaviour = null, Channel? channel = null) =>
        Signal.Create(new SignalReport("test", Guid.NewGuid().ToString(), kind, Now, type, score, rating, rating is null ? null : "Trustpilot", behaviour, null, channel, text), CustomerId.New(), Now);

    [Theory]
    [InlineData("I am cancelling my subscription today.", "churn")]
    [InlineData("We're switching to another provider next month", "churn")]
    [InlineData("I will never order from you again!", "churn")]
    [InlineData("I want my money back", "refund")]
    [InlineData("My lawyer will be in touch. I have filed a chargeback.", "legal")]
    [InlineData("I will complain to the ombudsman", "legal")]
    [InlineData("Let me speak to a manager please", "manager")]
    [InlineData("I'm posting this everywhere on social media", "public")]
    [InlineData("This is the third time I ask for this", "repeated")]
    [InlineData("On hold for 1 hr 30 min and nobody answered", "waiting")]
    [InlineData("Still no refund and no reply to my emails", "waiting")]
    [InlineData("The kettle arrived broken", "broken")]
    [InlineData("I was charged twice for one order", "broken")]
    public void A_text_rule_finds_its_cue(string text, string code) =>
        Assert.Contains(CueRules.InText(text), c => c.Cue.Code == code);

    [Theory]
    [InlineData("What time do you open on Sunday?")]
    [InlineData("Thanks, the new one works perfectly.")]
    [InlineData("Can I change the delivery address for my order?")]
    public void An_ordinary_question_or_thanks_has_no_cue(string text) => Assert.Empty(CueRules.InText(text));

    [Theory]
    [InlineData(SurveyType.Nps, 6, true)]
    [InlineData(SurveyType.Nps, 7, false)]
    [InlineData(SurveyType.Csat, 2, true)]
    [InlineData(SurveyType.Csat, 3, false)]
    [InlineData(SurveyType.Ces, 5, true)]
    [InlineData(SurveyType.Ces, 4, false)]
    public void Detractor_scores_follow_each_survey_s_scale(SurveyType type, int score, bool detractor) =>
        Assert.Equal(detractor, CueRules.ForScore(SignalKind.Survey, type, score, null) is not null);

    [Fact]
    public void A_review_of_three_stars_or_fewer_is_a_cue_and_four_is_not()
    {
        Assert.NotNull(CueRules.ForScore(SignalKind.Review, null, null, 3));
        Assert.Null(CueRules.ForScore(SignalKind.Review, null, null, 4));
    }

    [Fact]
    public void A_survey_score_outside_its_scale_is_refused_with_the_scale()
    {
        var errors = Signal.Validate(new SignalReport("s", "1", SignalKind.Survey, Now, SurveyType.Ces, 8));
        var error = Assert.Single(errors);
        Assert.Equal(("signal.score_out_of_range", "score"), (error.Code, error.Field));
        Assert.Contains("1 to 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_missing_part_is_reported_at_once()
    {
        var errors = Signal.Validate(new SignalReport(null, " ", SignalKind.Review, null, Rating: 6));
        Assert.Equal(["externalId", "occurredAt", "rating", "site", "source"], errors.Select(e => e.Field!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_content_customer_is_no_risk_whatever_their_value()
    {
        var (cues, risk) = RiskScorer.Assess(Make(SignalKind.Survey, "Great service, thank you", SurveyType.Nps, 10), 0.05, new RiskContext(ValueTier.Platinum, true, 0));
        Assert.Empty(cues);
        Assert.Equal(0, risk.Score);
        Assert.Equal("Nothing in it suggests a problem.", risk.Reason);
    }

    [Fact]
    public void The_strongest_cue_counts_in_full_and_value_publicity_and_a_repeat_failure_raise_it()
    {
        var signal = Make(SignalKind.Review, "I want a refund", rating: 1);
        var standard = RiskScorer.Assess(signal, 0.5, new RiskContext(ValueTier.Standard, false, 0)).Risk;
        var gold = RiskScorer.Assess(signal, 0.5, new RiskContext(ValueTier.Gold, true, 0)).Risk;

        // 1-star review 45 + refund 15 / 2 + publicity 10.
        Assert.Equal(63, standard.Score);
        Assert.Equal(83, gold.Score);
        Assert.Equal("Posted a 1-star review in public; asks for their money back; a Gold customer; failed before within 90 days.", gold.Reason);
    }

    [Fact]
    public void An_unhappy_text_with_no_rule_cue_still_carries_risk()
    {
        var (_, risk) = RiskScorer.Assess(Make(SignalKind.Message, "The food was cold and tasteless"), 0.95, new RiskContext(ValueTier.Standard, false, 0));
        Assert.Equal(45, risk.Score);
        Assert.Equal("What they wrote reads as very unhappy.", risk.Reason);
    }

    [Fact]
    public void A_third_contact_is_a_cue_and_the_risk_never_passes_100()
    {
        var signal = Make(SignalKind.Message, "Third time I ask! Cancel my account, my lawyer will hear of it, I am posting this everywhere. Manager now.");
        var (cues, risk) = RiskScorer.Assess(signal, 0.99, new RiskContext(ValueTier.Platinum, true, 3));
        Assert.Contains(cues, c => c.Code == "repeat_contact");
        Assert.Equal(100, risk.Score);
    }
}

public sealed class LinearTextModelTests
{
    private static readonly (string, bool)[] Samples =
    [
        ("terrible service, never again", true), ("awful and rude staff", true), ("it broke after one day, terrible", true),
        ("not good at all", true), ("rude and slow", true), ("awful, broke again", true),
        ("great service, thank you", false), ("lovely staff and good food", false), ("good value, works well", false),
        ("great and fast", false), ("thank you, lovely", false), ("works well, good", false),
    ];

    [Fact]
    public void Negation_reaches_the_next_words_and_stops_at_the_end_of_a_sentence()
    {
        var features = LinearTextModel.Features("It is not good. Good now!");
        Assert.Contains("not_good", features);
        Assert.Contains("good", features);
        Assert.Contains("not_good not_now", LinearTextModel.Features("not good now"));
        Assert.Contains("didn't not_work", LinearTextModel.Features("It didn't work"));
    }

    [Fact]
    public void Training_is_reproducible_and_learns_which_way_words_point()
    {
        var a = LinearTextModel.Train(Samples, "t", minCount: 1);
        var b = LinearTextModel.Train(Samples, "t", minCount: 1);
        Assert.Equal(a.Score("terrible and rude"), b.Score("terrible and rude"));
        Assert.True(a.Score("terrible and rude") > 0.7, a.Score("terrible and rude").ToString());
        Assert.True(a.Score("great and lovely") < 0.3, a.Score("great and lovely").ToString());
        Assert.Equal(1 / (1 + Math.Exp(-a.Bias)), a.Score("zzz qqq"), 6);
        Assert.Equal(0.5, a.Score("..."), 6);
    }

    [Fact]
    public void A_model_written_and_read_back_scores_the_same()
    {
        var model = LinearTextModel.Train(Samples, "round-trip", minCount: 1);
        var text = new StringWriter();
        model.Write(text);
        var read = LinearTextModel.Read(new StringReader(text.ToString()));
        Assert.Equal("round-trip", read.Version);
        Assert.Equal(model.FeatureCount, read.FeatureCount);
        Assert.Equal(model.Score("rude but good food"), read.Score("rude but good food"), 6);
    }

    [Fact]
    public void Metrics_match_figures_worked_by_hand()
    {
        // Positives at 0.9 and 0.4, negatives at 0.6 and 0.1: three of four pairs ordered right.
        var m = BinaryMetrics.Compute([(0.9, true), (0.6, false), (0.4, true), (0.1, false)]);
        Assert.Equal(0.75, m.RocAuc, 6);
        Assert.Equal((1.0 + (2.0 / 3)) / 2, m.PrAuc, 6);
        Assert.Equal((0.5, 0.5, 0.5), (m.Precision, m.Recall, m.F1));
        Assert.Equal(0.5, BinaryMetrics.Compute([(0.5, true), (0.5, false)]).RocAuc, 6);
    }
}

public sealed class EmbeddingHeadTests
{
    [Fact]
    public void A_head_learns_a_direction_in_the_embedding_and_reads_back_the_same()
    {
        // Two clusters on either side of the first axis, as unit vectors.
        float[] Unit(float x, float y) { var n = MathF.Sqrt((x * x) + (y * y)); return [x / n, y / n, 0]; }
        var embeddings = new List<float[]> { Unit(1, 0.2f), Unit(0.9f, -0.3f), Unit(0.8f, 0.1f), Unit(-1, 0.1f), Unit(-0.7f, -0.2f), Unit(-0.9f, 0.4f) };
        var labels = new List<bool> { true, true, true, false, false, false };

        var head = EmbeddingHead.Train(embeddings, labels, "test-head");

        Assert.True(head.Score(Unit(1, 0)) > 0.8, head.Score(Unit(1, 0)).ToString());
        Assert.True(head.Score(Unit(-1, 0)) < 0.2, head.Score(Unit(-1, 0)).ToString());
        var text = new StringWriter();
        head.Write(text);
        var read = EmbeddingHead.Read(new StringReader(text.ToString()));
        Assert.Equal(("test-head", 3), (read.Version, read.Dimensions));
        Assert.Equal(head.Score(Unit(0.3f, 0.9f)), read.Score(Unit(0.3f, 0.9f)), 6);
        Assert.Throws<ArgumentException>(() => head.Score(new float[4]));
    }

    [Fact]
    public void A_long_text_is_split_into_windows_at_sentence_ends_and_nothing_is_lost()
    {
        var sentence = string.Join(' ', Enumerable.Repeat("word", 39)) + " end.";
        var text = string.Join(' ', Enumerable.Repeat(sentence, 10));

        var windows = TextWindows.Split(text);

        Assert.True(windows.Count >= 3, windows.Count.ToString());
        Assert.All(windows, w => Assert.True(w.Split(' ').Length <= TextWindows.MaxWords));
        Assert.All(windows.SkipLast(1), w => Assert.EndsWith("end.", w, StringComparison.Ordinal));
        Assert.Equal(text.Split(' ').Length, windows.Sum(w => w.Split(' ').Length));
        Assert.Equal(["short text"], TextWindows.Split("  short text "));
    }
}

public sealed class CategoryModelTests
{
    private static float[] Unit(params float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / n)];
    }

    [Fact]
    public void The_nearest_centroid_is_suggested_with_a_confidence_and_reads_back_the_same()
    {
        var model = CategoryModel.Build(
        [
            (Amends.Domain.Cases.FailureCategory.LateDelivery, Unit(1, 0.1f, 0)), (Amends.Domain.Cases.FailureCategory.LateDelivery, Unit(0.9f, -0.1f, 0)),
            (Amends.Domain.Cases.FailureCategory.BillingError, Unit(0, 1, 0)),
            (Amends.Domain.Cases.FailureCategory.PoorService, Unit(0, 0, 1)),
        ], "test-categories");

        var late = model.Suggest(Unit(0.95f, 0.05f, 0));
        Assert.Equal(Amends.Domain.Cases.FailureCategory.LateDelivery, late.Category);
        Assert.True(late.Confidence > 0.9, late.Confidence.ToString());

        // Halfway between two: neither is sure, and the other is the runner-up.
        var torn = model.Suggest(Unit(0, 1, 1));
        Assert.True(torn.Confidence < 0.6, torn.Confidence.ToString());
        Assert.Equal(
            new[] { Amends.Domain.Cases.FailureCategory.BillingError, Amends.Domain.Cases.FailureCategory.PoorService }.Order(),
            new[] { torn.Category, torn.RunnerUp }.Order());

        var text = new StringWriter();
        model.Write(text);
        var read = CategoryModel.Read(new StringReader(text.ToString()));
        Assert.Equal("test-categories", read.Version);
        Assert.Equal(3, read.Categories.Count);
        Assert.Equal(late, read.Suggest(Unit(0.95f, 0.05f, 0)));
        Assert.Throws<ArgumentException>(() => model.Suggest(new float[4]));
        Assert.Throws<InvalidDataException>(() => CategoryModel.Read(new StringReader("version\tx\n")));
    }

    [Theory]
    [InlineData(2, 0, false)]   // two is never a repeat
    [InlineData(3, 0, true)]    // three in a week from one who never writes
    [InlineData(3, 2, true)]    // or hardly ever
    [InlineData(3, 13, false)]  // about once a week is their rhythm: three is not unusual for them
    [InlineData(6, 13, true)]   // six is
    [InlineData(8, 91, false)]  // a business that writes every day
    public void Repeated_contact_is_a_spike_against_the_customer_s_own_rhythm(int recent, int prior, bool cue) =>
        Assert.Equal(cue, CueRules.RepeatedContact(recent, prior) is not null);

    [Fact]
    public void Repeated_contact_says_what_is_usual_for_them()
    {
        Assert.Equal("Contacted us 3 times in 7 days.", CueRules.RepeatedContact(3)!.Value.Cue.Text);
        Assert.Equal("Contacted us 6 times in 7 days, where about 1 a week is usual for them.", CueRules.RepeatedContact(6, 13)!.Value.Cue.Text);
        Assert.Equal("Contacted us 3 times in 7 days, where about once in 6 weeks is usual for them.", CueRules.RepeatedContact(3, 2)!.Value.Cue.Text);
    }
}
