using Amends.Domain.Cases;
using Amends.Domain.Common;

namespace Amends.Domain.Tests.Cases;

public sealed partial class RecoveryCaseTest
{
    private readonly CaseBuilder _build = new();

    [Fact]
    public void A_new_case_starts_New_with_a_Created_entry_and_version_1()
    {
        var c = _build.New();

        Assert.Equal(CaseStatus.New, c.Status);
        Assert.Null(c.Outcome);
        Assert.Equal(1, c.Version);
        var entry = Assert.Single(c.Timeline);
        Assert.Equal(TimelineEntryKind.Created, entry.Kind);
        Assert.Equal(_build.Clock.GetUtcNow().UtcDateTime, c.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, c.CreatedAt.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void Opening_without_a_summary_is_rejected(string? summary)
    {
        var result = RecoveryCase.Open(_build.Customer(), FailureCategory.WrongOrder, Severity.Low, Channel.Chat, summary, null, _build.Now());

        Assert.False(result.IsSuccess);
        Assert.Equal("case.summary_required", result.Error!.Code);
        Assert.Equal("summary", result.Error.Field);
    }

    [Fact]
    public void Opening_with_a_summary_over_500_characters_is_rejected()
    {
        var result = RecoveryCase.Open(_build.Customer(), FailureCategory.WrongOrder, Severity.Low, Channel.Chat, new string('x', 501), null, _build.Now());

        Assert.Equal("case.summary_too_long", result.Error!.Code);
    }

    [Fact]
    public void Acknowledge_moves_New_to_Acknowledged_and_makes_the_acknowledger_owner()
    {
        var c = _build.New();
        var at = _build.Now();

        Assert.Null(c.Acknowledge(CaseBuilder.Anna, at));

        Assert.Equal(CaseStatus.Acknowledged, c.Status);
        Assert.Equal(CaseBuilder.Anna.Id, c.OwnerId);
        Assert.Equal(at.UtcDateTime, c.AcknowledgedAt);
        Assert.Contains(c.Timeline, e => e.Kind == TimelineEntryKind.StatusChanged && e.FromStatus == CaseStatus.New && e.ToStatus == CaseStatus.Acknowledged);
        Assert.Contains(c.Timeline, e => e.Kind == TimelineEntryKind.Assigned && e.OwnerId == CaseBuilder.Anna.Id);
    }

    [Fact]
    public void Acknowledge_keeps_an_existing_owner()
    {
        var c = _build.New();
        c.Assign(CaseBuilder.Ben, null, CaseBuilder.Anna, _build.Now());

        c.Acknowledge(CaseBuilder.Anna, _build.Now());

        Assert.Equal(CaseBuilder.Ben.Id, c.OwnerId);
    }

    [Theory]
    [InlineData(CaseStatus.Acknowledged)]
    [InlineData(CaseStatus.Resolving)]
    [InlineData(CaseStatus.WaitingOnCustomer)]
    [InlineData(CaseStatus.Resolved)]
    [InlineData(CaseStatus.Closed)]
    public void Acknowledge_is_only_for_New_cases(CaseStatus status)
    {
        var c = _build.In(status);
        var version = c.Version;

        var error = c.Acknowledge(CaseBuilder.Anna, _build.Now());

        Assert.Equal("case.illegal_transition", error!.Code);
        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Equal(status, c.Status);
        Assert.Equal(version, c.Version);
    }

    [Theory]
    [InlineData(CaseStatus.New)]
    [InlineData(CaseStatus.Resolving)]
    [InlineData(CaseStatus.Resolved)]
    public void StartResolving_is_only_after_Acknowledged(CaseStatus status)
    {
        var c = _build.In(status);

        Assert.Equal("case.illegal_transition", c.StartResolving(CaseBuilder.Anna, _build.Now())!.Code);
    }

    [Fact]
    public void Waiting_on_the_customer_and_resuming_go_back_and_forth()
    {
        var c = _build.In(CaseStatus.Resolving);

        Assert.Null(c.WaitForCustomer(CaseBuilder.Anna, _build.Now(), "Asked for a photo"));
        Assert.Equal(CaseStatus.WaitingOnCustomer, c.Status);
        Assert.Null(c.Resume(CaseBuilder.Anna, _build.Now()));
        Assert.Equal(CaseStatus.Resolving, c.Status);
        Assert.Null(c.WaitForCustomer(CaseBuilder.Anna, _build.Now(), null));
        Assert.Equal(CaseStatus.WaitingOnCustomer, c.Status);
    }

    [Theory]
    [InlineData(CaseStatus.New)]
    [InlineData(CaseStatus.Acknowledged)]
    [InlineData(CaseStatus.WaitingOnCustomer)]
    [InlineData(CaseStatus.Resolved)]
    public void Waiting_is_only_from_Resolving(CaseStatus status)
    {
        Assert.Equal("case.illegal_transition", _build.In(status).WaitForCustomer(CaseBuilder.Anna, _build.Now(), null)!.Code);
    }

    [Theory]
    [InlineData(CaseStatus.New)]
    [InlineData(CaseStatus.Resolving)]
    [InlineData(CaseStatus.Resolved)]
    public void Resume_is_only_from_WaitingOnCustomer(CaseStatus status)
    {
        Assert.Equal("case.illegal_transition", _build.In(status).Resume(CaseBuilder.Anna, _build.Now())!.Code);
    }

    [Fact]
    public void Resolve_without_a_delivered_remedy_needs_the_apology_only_decision()
    {
        var c = _build.In(CaseStatus.Resolving);

        var error = c.Resolve(CaseBuilder.Anna, _build.Now(), "Sorted", apologyOnly: false);

        Assert.Equal("case.remedy_required", error!.Code);
        Assert.Equal("apologyOnly", error.Field);
        Assert.Equal(CaseStatus.Resolving, c.Status);
    }

    [Fact]
    public void Resolve_after_a_delivered_remedy_needs_no_apology_only_decision()
    {
        var c = _build.In(CaseStatus.Resolving);
        c.RecordRemedyDelivered(_build.Now());

        Assert.Null(c.Resolve(CaseBuilder.Anna, _build.Now(), "Refunded in full", apologyOnly: false));

        Assert.Equal(CaseStatus.Resolved, c.Status);
        Assert.False(c.ApologyOnly);
        Assert.Equal("Refunded in full", c.Resolution);
        Assert.NotNull(c.ResolvedAt);
    }

    [Fact]
    public void Resolve_needs_a_resolution()
    {
        var error = _build.In(CaseStatus.Resolving).Resolve(CaseBuilder.Anna, _build.Now(), " ", apologyOnly: true);

        Assert.Equal("case.resolution_required", error!.Code);
        Assert.Equal("resolution", error.Field);
    }

    [Theory]
    [InlineData(CaseStatus.New)]
    [InlineData(CaseStatus.Acknowledged)]
    [InlineData(CaseStatus.WaitingOnCustomer)]
    public void Resolve_is_only_from_Resolving(CaseStatus status)
    {
        Assert.Equal("case.illegal_transition", _build.In(status).Resolve(CaseBuilder.Anna, _build.Now(), "x", true)!.Code);
    }

    [Fact]
    public void Closing_as_Recovered_needs_a_follow_up_answer_of_4_or_5()
    {
        var c = _build.In(CaseStatus.Resolved);

        Assert.Equal("case.follow_up_required", c.Close(CaseBuilder.Anna, _build.Now(), CaseOutcome.Recovered, null)!.Code);
        c.RecordFollowUp(3, "Meh", _build.Now());
        Assert.Equal("case.follow_up_required", c.Close(CaseBuilder.Anna, _build.Now(), CaseOutcome.Recovered, null)!.Code);
        c.RecordFollowUp(5, "Great", _build.Now());
        Assert.Null(c.Close(CaseBuilder.Anna, _build.Now(), CaseOutcome.Recovered, null));

        Assert.Equal(CaseStatus.Closed, c.Status);
        Assert.Equal(CaseOutcome.Recovered, c.Outcome);
        Assert.NotNull(c.ClosedAt);
    }

    [Fact]
    public void Closing_as_NotRecovered_needs_a_reason()
    {
        var c = _build.In(CaseStatus.Resolved);

        Assert.Equal("case.reason_required", c.Close(CaseBuilder.Anna, _build.Now(), CaseOutcome.NotRecovered, "")!.Code);
        Assert.Null(c.Close(CaseBuilder.Anna, _build.Now(), CaseOutcome.NotRecovered, "Still unhappy"));
    }

    [Theory]
    [InlineData(CaseOutcome.Recovered)]
    [InlineData(CaseOutcome.NotRecovered)]
    [InlineData(CaseOutcome.Unconfirmed)]
    public void Outcomes_other_than_Duplicate_and_Withdrawn_need_a_resolved_case(CaseOutcome outcome)
    {
        var c = _build.In(CaseStatus.Resolving);

        var error = c.Close(CaseBuilder.Anna, _build.Now(), outcome, "reason");

        Assert.Equal("case.not_resolved", error!.Code);
        Assert.Equal(CaseStatus.Resolving, c.Status);
    }

    [Theory]
    [InlineData(CaseStatus.New, CaseOutcome.Duplicate)]
    [InlineData(CaseStatus.Acknowledged, CaseOutcome.Withdrawn)]
    [InlineData(CaseStatus.WaitingOnCustomer, CaseOutcome.Withdrawn)]
    [InlineData(CaseStatus.Resolving, CaseOutcome.Duplicate)]
    public void Duplicate_and_Withdrawn_close_any_open_case(CaseStatus status, CaseOutcome outcome)
    {
        var c = _build.In(status);

        Assert.Null(c.Close(CaseBuilder.Anna, _build.Now(), outcome, null));

        Assert.Equal(CaseStatus.Closed, c.Status);
        Assert.Equal(outcome, c.Outcome);
    }

    [Fact]
    public void A_closed_case_cannot_be_closed_again()
    {
        Assert.Equal("case.already_closed", _build.In(CaseStatus.Closed).Close(CaseBuilder.Anna, _build.Now(), CaseOutcome.Withdrawn, null)!.Code);
    }

    [Theory]
    [InlineData(CaseStatus.Resolved)]
    [InlineData(CaseStatus.Closed)]
    public void Reopen_sends_a_resolved_or_closed_case_back_to_Resolving(CaseStatus status)
    {
        var c = _build.In(status);

        Assert.Null(c.Reopen(CaseBuilder.Anna, _build.Now(), "Customer says the refund never arrived"));

        Assert.Equal(CaseStatus.Resolving, c.Status);
        Assert.Null(c.Outcome);
        Assert.Null(c.ClosedAt);
        Assert.Null(c.ResolvedAt);
        Assert.Equal(1, c.ReopenCount);
        Assert.Contains(c.Timeline, e => e.ToStatus == CaseStatus.Resolving && e.Body?.StartsWith("Reopened", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Reopen_needs_a_reason()
    {
        Assert.Equal("case.reason_required", _build.In(CaseStatus.Resolved).Reopen(CaseBuilder.Anna, _build.Now(), null)!.Code);
    }

    [Theory]
    [InlineData(CaseStatus.New)]
    [InlineData(CaseStatus.Acknowledged)]
    [InlineData(CaseStatus.Resolving)]
    [InlineData(CaseStatus.WaitingOnCustomer)]
    public void Reopen_is_only_for_resolved_or_closed_cases(CaseStatus status)
    {
        Assert.Equal("case.illegal_transition", _build.In(status).Reopen(CaseBuilder.Anna, _build.Now(), "why")!.Code);
    }

    [Fact]
    public void A_duplicate_cannot_be_reopened()
    {
        var c = _build.New();
        c.Close(CaseBuilder.Anna, _build.Now(), CaseOutcome.Duplicate, null);

        Assert.Equal("case.duplicate_cannot_reopen", c.Reopen(CaseBuilder.Anna, _build.Now(), "oops")!.Code);
    }

    [Fact]
    public void The_reopened_case_loses_its_old_follow_up_answer()
    {
        var c = _build.In(CaseStatus.Resolved);
        c.RecordFollowUp(5, "Great", _build.Now());
        c.Close(CaseBuilder.Anna, _build.Now(), CaseOutcome.Recovered, null);

        c.Reopen(CaseBuilder.Anna, _build.Now(), "Broke again");

        Assert.Null(c.FollowUpScore);
    }
}
