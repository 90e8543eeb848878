using System.Text.RegularExpressions;

namespace Amends.Domain.Common;

/// <summary>A language as BCP 47 writes it, lower case: a 2- or 3-letter language and optional subtags (<c>en</c>, <c>de-at</c>, <c>pt-br</c>).</summary>
public static partial class LanguageTag
{
    public static bool IsValid(string? tag) => tag is { Length: <= 35 } && Pattern().IsMatch(tag);

    [GeneratedRegex("^[a-z]{2,3}(-[a-z0-9]{2,8})*$")]
    private static partial Regex Pattern();
}
