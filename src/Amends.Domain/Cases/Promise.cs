using Amends.Domain.Common;

namespace Amends.Domain.Cases;

public enum PromiseStatus
{
    Open,
    Kept,
    Broken,
}

/// <summary>
/// An ETA told to the customer ("a replacement will reach you by Thursday"). The owner is reminded before it falls due;
/// it ends kept (someone confirms it) or broken (its time passed while still open).
/// </summary>
public sealed class Promise
{
    public const int MaxTextLength = 500;

    private Promise()
    {
        Text = "";
    }

    public Guid Id { get; private set; }

    public CaseId CaseId { get; private set; }

    public string Text { get; private set; }

    /// <summary>UTC, as are all times here.</summary>
    public DateTime DueAt { get; private set; }

    /// <summary>When the owner is reminded: a fifth of the time before it falls due, at most two hours before.</summary>
    public DateTime RemindAt { get; private set; }

    public DateTime MadeAt { get; private set; }

    public UserId MadeBy { get; private set; }

    public PromiseStatus Status { get; private set; }

    public DateTime? SettledAt { get; private set; }

    public bool Reminded { get; private set; }

    /// <summary>The next instant something happens to this promise (reminder, then due), or null once settled.</summary>
    public DateTime? NextCheckAt => Status != PromiseStatus.Open ? null : Reminded ? DueAt : RemindAt;

    internal static Result<Promise> Make(CaseId caseId, string? text, DateTimeOffset dueAt, Actor by, DateTimeOffset now)
    {
        var clean = text?.Trim();
        if (string.IsNullOrEmpty(clean) || clean.Length > MaxTextLength)
        {
            return DomainError.Invalid("promise.text_invalid", "text", $"Say what was promised, in up to {MaxTextLength} characters.");
        }

        if (dueAt <= now)
        {
            return DomainError.Invalid("promise.due_in_past", "dueAt", "A promise falls due in the future.");
        }

        var lead = TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(2).Ticks, (dueAt - now).Ticks / 5));
        return Result<Promise>.Ok(new Promise
        {
            Id = Guid.CreateVersion7(now),
            CaseId = caseId,
            Text = clean,
            DueAt = dueAt.UtcDateTime,
            RemindAt = (dueAt - lead).UtcDateTime,
            MadeAt = now.UtcDateTime,
            MadeBy = by.Id,
            Status = PromiseStatus.Open,
        });
    }

    internal DomainError? Keep(DateTimeOffset now)
    {
        if (Status != PromiseStatus.Open)
        {
            return DomainError.Conflict("promise.settled", $"The promise is already {Status.ToString().ToLowerInvariant()}.");
        }

        Status = PromiseStatus.Kept;
        SettledAt = now.UtcDateTime;
        return null;
    }

    internal void MarkReminded() => Reminded = true;

    internal void Break(DateTimeOffset now)
    {
        Status = PromiseStatus.Broken;
        SettledAt = now.UtcDateTime;
    }
}
