using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Customers;

namespace Amends.Domain.Tests.Cases;

public sealed partial class RecoveryCaseTest
{
    [Fact]
    public void Every_change_bumps_the_version_and_the_update_time()
    {
        var c = _build.New();
        var at = _build.Now();

        c.AddNote(CaseBuilder.Anna, "Called the carrier", at);

        Assert.Equal(2, c.Version);
        Assert.Equal(at.UtcDateTime, c.UpdatedAt);
    }

    [Theory]
    [InlineData("Hi Ana, an update: [what has happened]. More soon.", "[what has happened]")]
    [InlineData("Done: [what we did].", "[what we did]")]
    public void A_message_to_the_customer_with_a_placeholder_left_is_not_sent(string body, string placeholder)
    {
        var c = _build.New();

        var error = c.RecordMessage(false, Channel.Email, body, CaseBuilder.Anna, _build.Now());

        Assert.Equal("case.message_placeholder_left", error!.Code);
        Assert.Contains(placeholder, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, c.Version);
    }

    [Theory]
    [InlineData(false, "Your refund [Order 5521] is on its way [1].")]
    [InlineData(true, "You wrote [what has happened] in your template, ha")]
    public void Brackets_of_the_agent_s_own_or_in_what_the_customer_wrote_pass(bool inbound, string body)
    {
        Assert.Null(_build.New().RecordMessage(inbound, Channel.Email, body, inbound ? null : CaseBuilder.Anna, _build.Now()));
    }

    [Fact]
    public void A_rejected_change_leaves_version_and_timeline_alone()
    {
        var c = _build.New();
        var entries = c.Timeline.Count;

        c.Resolve(CaseBuilder.Anna, _build.Now(), "x", true);

        Assert.Equal(1, c.Version);
        Assert.Equal(entries, c.Timeline.Count);
    }

    [Fact]
    public void A_note_is_recorded_with_its_author_and_time()
    {
        var c = _build.New();
        var at = _build.Now();

        Assert.Null(c.AddNote(CaseBuilder.Ben, "  Customer prefers phone  ", at));

        var note = c.Timeline[^1];
        Assert.Equal(TimelineEntryKind.Note, note.Kind);
        Assert.Equal("Customer prefers phone", note.Body);
        Assert.Equal(CaseBuilder.Ben.Id, note.ActorId);
        Assert.Equal("Ben Agent", note.ActorName);
        Assert.Equal(at.UtcDateTime, note.At);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_note_is_rejected(string body)
    {
        var error = _build.New().AddNote(CaseBuilder.Anna, body, _build.Now());

        Assert.Equal("case.note_required", error!.Code);
        Assert.Equal("body", error.Field);
    }

    [Fact]
    public void A_note_over_the_limit_is_rejected()
    {
        Assert.Equal("case.note_too_long", _build.New().AddNote(CaseBuilder.Anna, new string('a', RecoveryCase.MaxTextLength + 1), _build.Now())!.Code);
    }

    [Fact]
    public void Notes_are_allowed_on_a_closed_case()
    {
        Assert.Null(_build.In(CaseStatus.Closed).AddNote(CaseBuilder.Anna, "For the record", _build.Now()));
    }

    [Fact]
    public void Messages_in_and_out_are_recorded_on_their_channel()
    {
        var c = _build.New();

        Assert.Null(c.RecordMessage(true, Channel.Email, "Where is my parcel?", null, _build.Now()));
        Assert.Null(c.RecordMessage(false, Channel.Sms, "On its way, arriving Thursday", CaseBuilder.Anna, _build.Now()));

        Assert.Equal(TimelineEntryKind.MessageIn, c.Timeline[^2].Kind);
        Assert.Equal(Channel.Email, c.Timeline[^2].Channel);
        Assert.Equal(TimelineEntryKind.MessageOut, c.Timeline[^1].Kind);
        Assert.Equal(Channel.Sms, c.Timeline[^1].Channel);
    }

    [Fact]
    public void An_outbound_message_needs_a_sender()
    {
        Assert.Equal("case.message_sender_required", _build.New().RecordMessage(false, Channel.Email, "Hi", null, _build.Now())!.Code);
    }

    [Fact]
    public void Assign_records_the_new_owner_on_the_timeline()
    {
        var c = _build.New();

        Assert.Null(c.Assign(CaseBuilder.Ben, new TeamId(Guid.NewGuid()), CaseBuilder.Anna, _build.Now()));

        Assert.Equal(CaseBuilder.Ben.Id, c.OwnerId);
        Assert.NotNull(c.TeamId);
        var entry = c.Timeline[^1];
        Assert.Equal(TimelineEntryKind.Assigned, entry.Kind);
        Assert.Equal("Ben Agent", entry.OwnerName);
        Assert.Equal(CaseBuilder.Anna.Id, entry.ActorId);
    }

    [Fact]
    public void Assigning_the_current_owner_again_changes_nothing()
    {
        var c = _build.New();
        c.Assign(CaseBuilder.Ben, null, CaseBuilder.Anna, _build.Now());
        var version = c.Version;

        Assert.Null(c.Assign(CaseBuilder.Ben, null, CaseBuilder.Anna, _build.Now()));

        Assert.Equal(version, c.Version);
    }

    [Fact]
    public void A_closed_case_cannot_be_reassigned()
    {
        Assert.Equal("case.closed", _build.In(CaseStatus.Closed).Assign(CaseBuilder.Ben, null, CaseBuilder.Anna, _build.Now())!.Code);
    }

    [Fact]
    public void Changing_severity_recomputes_priority()
    {
        var c = _build.New(Severity.Low);
        Assert.Equal(Priority.Low, c.Priority);

        Assert.Null(c.ChangeSeverity(Severity.Critical, ValueTier.Platinum, CaseBuilder.Anna, _build.Now()));

        Assert.Equal(Priority.Urgent, c.Priority);
        Assert.Equal(TimelineEntryKind.SeverityChanged, c.Timeline[^1].Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void A_follow_up_score_is_from_1_to_5(int score)
    {
        Assert.Equal("case.follow_up_score_range", _build.In(CaseStatus.Resolved).RecordFollowUp(score, null, _build.Now())!.Code);
    }

    [Fact]
    public void A_follow_up_is_only_taken_on_a_resolved_case()
    {
        Assert.Equal("case.not_resolved", _build.In(CaseStatus.Resolving).RecordFollowUp(5, null, _build.Now())!.Code);
    }

    [Fact]
    public void A_repeat_failure_raises_priority()
    {
        var customer = _build.Customer();
        var first = RecoveryCase.Open(customer, FailureCategory.WrongOrder, Severity.Medium, Channel.Email, "Wrong size", null, _build.Now(), repeatFailure: false).Value;
        var second = RecoveryCase.Open(customer, FailureCategory.WrongOrder, Severity.Medium, Channel.Email, "Wrong size again", null, _build.Now(), repeatFailure: true).Value;

        Assert.True(second.RepeatFailure);
        Assert.True(second.Priority > first.Priority);
    }

    [Fact]
    public void Entries_written_in_one_step_keep_their_order_in_time()
    {
        var c = _build.New();

        c.Acknowledge(CaseBuilder.Anna, _build.Clock.GetUtcNow());

        var times = c.Timeline.Select(e => e.At).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal(times.Count, times.Distinct().Count());
    }
}
