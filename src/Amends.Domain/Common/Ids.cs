namespace Amends.Domain.Common;

public readonly record struct CaseId(Guid Value)
{
    public static CaseId New() => new(Guid.CreateVersion7());

    public override string ToString() => Value.ToString();
}

public readonly record struct CustomerId(Guid Value)
{
    public static CustomerId New() => new(Guid.CreateVersion7());

    public override string ToString() => Value.ToString();
}

public readonly record struct TeamId(Guid Value)
{
    public static TeamId New() => new(Guid.CreateVersion7());

    public override string ToString() => Value.ToString();
}

/// <summary>A person who works cases (an agent, supervisor or admin).</summary>
public readonly record struct UserId(Guid Value)
{
    public override string ToString() => Value.ToString();
}

/// <summary>Who did something, with their name as it was at that moment (the timeline keeps history as it happened).</summary>
public sealed record Actor(UserId Id, string Name);
