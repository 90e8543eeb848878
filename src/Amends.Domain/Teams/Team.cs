using Amends.Domain.Common;

namespace Amends.Domain.Teams;

/// <summary>The roles a person can hold. A Supervisor can do all an Agent can, an Admin all a Supervisor can.</summary>
public enum Role
{
    Agent,
    Supervisor,
    Admin,
}

/// <summary>A group of people who share an inbox, business hours and a supervisor.</summary>
public sealed class Team
{
    public const int MaxNameLength = 100;

    private Team()
    {
        Name = "";
    }

    public TeamId Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>The supervisor who takes this team's escalations, if one is named.</summary>
    public UserId? SupervisorId { get; private set; }

    public DateTime CreatedAt { get; private set; }

    /// <summary>When the team works; SLA clocks count only this time. Null means always open.</summary>
    public Sla.BusinessHours? Hours { get; private set; }

    /// <summary>
    /// The start of the quiet period, in the customer's local time: automatic messages (updates, reminders) wait until it
    /// ends, urgent cases excepted. Null with <see cref="QuietUntil"/>: no quiet period. New teams start with 21:00–08:00.
    /// </summary>
    public TimeOnly? QuietFrom { get; private set; }

    public TimeOnly? QuietUntil { get; private set; }

    public DomainError? SetQuietHours(TimeOnly? from, TimeOnly? until)
    {
        if ((from is null) != (until is null) || (from is { } f && f == until))
        {
            return DomainError.Invalid("team.quiet_hours_invalid", "from", "Give both ends of the quiet period, or neither; they cannot be the same time.");
        }

        QuietFrom = from;
        QuietUntil = until;
        return null;
    }

    /// <summary>When a message may go that is due at <paramref name="localNow"/>: at once, or at the end of the quiet period it falls in.</summary>
    public TimeSpan QuietDelay(DateTime localNow)
    {
        if (QuietFrom is not { } from || QuietUntil is not { } until)
        {
            return TimeSpan.Zero;
        }

        var time = TimeOnly.FromDateTime(localNow);
        var quiet = from < until ? time >= from && time < until : time >= from || time < until;
        if (!quiet)
        {
            return TimeSpan.Zero;
        }

        var end = localNow.Date + until.ToTimeSpan();
        if (end <= localNow)
        {
            end = end.AddDays(1);
        }

        return end - localNow;
    }

    /// <summary>The calendar SLA clocks use for this team's cases.</summary>
    public Sla.BusinessCalendar Calendar() => Hours?.ToCalendar() is { IsSuccess: true } calendar ? calendar.Value : Sla.BusinessCalendar.AlwaysOpen;

    /// <summary>Sets the working hours after checking they make a valid calendar.</summary>
    public DomainError? SetHours(Sla.BusinessHours? hours)
    {
        if (hours is not null && hours.ToCalendar() is { IsSuccess: false } invalid)
        {
            return invalid.Error;
        }

        Hours = hours;
        return null;
    }

    public static Result<Team> Create(string? name, DateTimeOffset now)
    {
        var error = ValidateName(name);
        return error is null
            ? Result<Team>.Ok(new Team { Id = TeamId.New(), Name = name!.Trim(), CreatedAt = now.UtcDateTime, QuietFrom = new TimeOnly(21, 0), QuietUntil = new TimeOnly(8, 0) })
            : error;
    }

    public DomainError? Rename(string? name)
    {
        var error = ValidateName(name);
        if (error is null)
        {
            Name = name!.Trim();
        }

        return error;
    }

    public void SetSupervisor(UserId? supervisor) => SupervisorId = supervisor;

    private static DomainError? ValidateName(string? name)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return DomainError.Invalid("team.name_required", "name", "A team needs a name.");
        }

        return trimmed.Length > MaxNameLength
            ? DomainError.Invalid("team.name_too_long", "name", $"A team name has at most {MaxNameLength} characters.")
            : null;
    }
}
