using System.ComponentModel.DataAnnotations;
using Amends.Domain.Cases;

namespace Amends.Web.Features.Cases;

/// <summary>An internal note: only the team sees it.</summary>
public sealed record AddNoteRequest([property: Required, StringLength(RecoveryCase.MaxTextLength)] string? Body);

/// <summary>Records a message exchanged with the customer. <see cref="Channel"/> defaults to the case's channel.</summary>
public sealed record RecordMessageRequest(
    [property: Required] MessageDirection? Direction,
    [property: Required, StringLength(RecoveryCase.MaxTextLength)] string? Body,
    Amends.Domain.Common.Channel? Channel = null);

public enum MessageDirection
{
    In,
    Out,
}
