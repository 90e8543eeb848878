namespace Amends.Domain.Common;

/// <summary>What kind of rule an error breaks; the API maps it to a status code (400, 404, 409, 403).</summary>
public enum ErrorKind
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
}

/// <summary>
/// A broken business rule. <see cref="Code"/> is stable (clients switch on it); <see cref="Message"/> is for people;
/// <see cref="Field"/> names the input at fault, when there is one (camelCase, as in the API).
/// </summary>
public sealed record DomainError(ErrorKind Kind, string Code, string Message, string? Field = null)
{
    public static DomainError Invalid(string code, string field, string message) => new(ErrorKind.Invalid, code, message, field);

    public static DomainError Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);

    public static DomainError NotFound(string code, string message, string? field = null) => new(ErrorKind.NotFound, code, message, field);

    public static DomainError Forbidden(string code, string message) => new(ErrorKind.Forbidden, code, message);
}
