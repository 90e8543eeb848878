using Amends.Domain.Common;

namespace Amends.Web.Components.Shared;

/// <summary>The last error of a form, so each input can show the message meant for it beside itself.</summary>
public sealed class ErrorBag
{
    public DomainError? Error { get; private set; }

    public void Set(DomainError? error) => Error = error;

    public void Clear() => Error = null;

    /// <summary>The message for <paramref name="field"/>, if the error is about it.</summary>
    public string? For(string field) => Error?.Field == field ? Error.Message : null;

    /// <summary>The message when it is not about any one field shown on the form.</summary>
    public string? General(params string[] shownFields) =>
        Error is null || (Error.Field is not null && shownFields.Contains(Error.Field)) ? null : Error.Message;
}
