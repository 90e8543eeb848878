namespace Amends.Domain.Common;

/// <summary>The outcome of a domain operation: either a value or a <see cref="DomainError"/>, never both.</summary>
public readonly record struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, DomainError? error)
    {
        _value = value;
        Error = error;
    }

    public DomainError? Error { get; }

    public bool IsSuccess => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException($"Result holds error {Error.Code}.");

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Fail(DomainError error) => new(default, error);

    public static implicit operator Result<T>(DomainError error) => Fail(error);
}
