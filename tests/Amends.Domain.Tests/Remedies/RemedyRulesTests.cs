using Amends.Domain.Common;
using Amends.Domain.Playbooks;
using Amends.Domain.Remedies;
using Microsoft.Extensions.Time.Testing;

namespace Amends.Domain.Tests.Remedies;

public sealed class RemedyRulesTests
{
    private static readonly Actor Agent = new(new UserId(Guid.NewGuid()), "Ana Agent");
    private static readonly Actor Supervisor = new(new UserId(Guid.NewGuid()), "Sam Supervisor");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => _clock.GetUtcNow();

    private RemedyOffer Offer(params long[] amounts) =>
        RemedyOffer.Create(new CaseId(Guid.NewGuid()), [.. amounts.Select(a => (RemedyType.Refund, (string?)null, a))], "EUR", Now.AddDays(7), null, Agent, Now).Value;

    [Fact]
    public void An_offer_holds_its_most_valuable_option_until_a_choice_then_the_chosen_one()
    {
        var offer = Offer(2_000, 3_500);
        Assert.Equal(0, offer.HeldMinor(Now));
        Assert.Null(offer.Grant(Agent, approval: false, null, Now));
        Assert.Equal(3_500, offer.HeldMinor(Now));

        Assert.Null(offer.Choose(offer.Options[0].Id, Now));

        Assert.Equal(2_000, offer.HeldMinor(Now));
    }

    [Fact]
    public void An_offer_left_unchosen_expires_and_then_holds_nothing_and_cannot_be_chosen()
    {
        var offer = Offer(2_000);
        offer.Grant(Agent, approval: false, null, Now);
        _clock.Advance(TimeSpan.FromDays(7));

        Assert.Equal(OfferStatus.Expired, offer.StatusAt(Now));
        Assert.Equal(0, offer.HeldMinor(Now));
        Assert.Equal("offer.expired", offer.Choose(offer.Options[0].Id, Now)!.Code);
    }

    [Fact]
    public void Nobody_approves_or_denies_their_own_request()
    {
        var offer = Offer(9_000);
        Assert.Equal("approval.own_request", offer.Grant(Agent, approval: true, null, Now)!.Code);
        Assert.Equal("approval.own_request", offer.Deny(Agent, "no", Now)!.Code);
        Assert.Null(offer.Grant(Supervisor, approval: true, "fine", Now));
        Assert.Equal(Supervisor.Id, offer.GrantedBy);
        Assert.Equal("fine", offer.DecisionReason);
    }

    [Fact]
    public void The_steps_run_offer_choice_fulfilment_and_nothing_else()
    {
        var offer = Offer(1_000);
        Assert.Equal("offer.illegal_transition", offer.Choose(offer.Options[0].Id, Now)!.Code);
        offer.Grant(Agent, approval: false, null, Now);
        Assert.Equal("offer.illegal_transition", offer.Fulfil("R1", Agent, Now)!.Code);
        offer.Choose(offer.Options[0].Id, Now);
        Assert.Equal("offer.illegal_transition", offer.Withdraw(null, Now)!.Code);
        Assert.Equal("offer.reference_required", offer.Fulfil(" ", Agent, Now)!.Code);
        Assert.Null(offer.Fulfil("R1", Agent, Now));
        Assert.Equal(OfferStatus.Fulfilled, offer.Status);
    }

    [Theory]
    [InlineData(5_000L, 0L, 0L, 5_000L, true)]
    [InlineData(5_000L, 1L, 0L, 5_000L, false)]
    [InlineData(5_000L, 3_000L, 0L, 2_000L, true)]
    [InlineData(5_000L, 3_000L, 0L, 2_001L, false)]
    [InlineData(-1L, 1_000_000L, 49_000L, 1_000L, true)]
    [InlineData(-1L, 0L, 49_001L, 1_000L, false)]
    public void Authority_counts_what_the_case_holds_and_what_was_granted_in_the_window(long perCase, long held, long granted, long amount, bool covers)
    {
        // -1 stands for no per-case limit.
        var limit = AuthorityLimit.ForRole(Teams.Role.Agent, perCase < 0 ? null : perCase, 50_000, "EUR", DateTimeOffset.UnixEpoch);

        Assert.Equal(covers, AuthorityLeft.Of(limit, held, granted, "EUR").Covers(amount));
    }

    [Fact]
    public void No_limit_row_is_no_authority_and_null_limits_are_unlimited()
    {
        Assert.False(AuthorityLeft.Of(null, 0, 0, "EUR").Covers(1));
        Assert.True(AuthorityLeft.Of(AuthorityLimit.ForRole(Teams.Role.Admin, null, null, "EUR", DateTimeOffset.UnixEpoch), 10_000_000, 10_000_000, "EUR").Covers(long.MaxValue));
    }

    [Fact]
    public void Fairness_uses_nearest_rank_percentiles_and_asks_for_a_reason_outside_p10_to_p90_only_with_enough_cases()
    {
        var guidance = FairnessGuidance.From([1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000],
            [RemedyType.Refund, RemedyType.Refund, RemedyType.Gesture], "EUR");

        Assert.Equal((1_000L, 3_000L, 5_000L, 8_000L, 9_000L), (guidance.P10!.Value, guidance.P25!.Value, guidance.Median!.Value, guidance.P75!.Value, guidance.P90!.Value));
        Assert.Equal(RemedyType.Refund, guidance.CommonTypes[0].Type);
        Assert.True(guidance.IsOutlier(9_001));
        Assert.True(guidance.IsOutlier(999));
        Assert.False(guidance.IsOutlier(9_000));
        Assert.False(FairnessGuidance.From([1_000, 2_000], [], "EUR").IsOutlier(1_000_000));
        Assert.Equal(0, FairnessGuidance.From([], [], "EUR").Count);
    }

    [Fact]
    public void A_chain_of_entries_verifies_and_any_change_breaks_it_at_that_entry()
    {
        LedgerEntry? last = null;
        var entries = new List<LedgerEntry>();
        for (var i = 0; i < 5; i++)
        {
            last = LedgerEntry.Append(last, Now, "offer.granted", Agent.Id.Value, Agent.Name, $"offer:{i}", null, 100 * i, "EUR", null, "{}", null);
            entries.Add(last);
        }

        var intact = new LedgerVerification.Checker();
        entries.ForEach(intact.Check);
        Assert.True(intact.Result().Intact);
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.Second.At > p.First.At), "entries at the same instant still get increasing times");

        var tampered = LedgerEntry.Append(entries[1], Now, "offer.granted", Agent.Id.Value, Agent.Name, "offer:2", null, 999_999, "EUR", null, "{}", null);
        var checker = new LedgerVerification.Checker();
        foreach (var e in new[] { entries[0], entries[1], tampered, entries[3], entries[4] })
        {
            checker.Check(e);
        }

        Assert.Equal(4, checker.Result().FirstBrokenSequence);
        var gap = new LedgerVerification.Checker();
        foreach (var e in entries.Where(e => e.Sequence != 3))
        {
            gap.Check(e);
        }

        Assert.Equal(3, gap.Result().FirstBrokenSequence);
    }
}
