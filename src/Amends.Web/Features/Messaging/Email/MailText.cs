using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace Amends.Web.Features.Messaging.Email;

/// <summary>The new text of a message, and whether quoted history or a signature was folded away below it.</summary>
public sealed record FoldedText(string NewText, bool Folded);

/// <summary>
/// Reads the text of an e-mail as a person wrote it: the new words first, with the quoted history (<c>&gt;</c> lines,
/// "On … wrote:", Outlook's header block, a forwarded message) and the signature (<c>-- </c>, "Sent from my phone")
/// folded away. The original is always kept beside it: folding only decides what the timeline shows first.
/// </summary>
public static partial class MailText
{
    /// <summary>Splits <paramref name="text"/> where its history or signature starts. Text that is all history (a bare forward) is kept whole.</summary>
    public static FoldedText Fold(string? text)
    {
        var normalized = Normalize(text);
        var lines = normalized.Split('\n');
        var cut = HistoryStart(lines);
        if (cut is null)
        {
            return new FoldedText(normalized, false);
        }

        var kept = string.Join('\n', lines[..cut.Value]).Trim();
        return kept.Length == 0 ? new FoldedText(normalized, false) : new FoldedText(kept, true);
    }

    /// <summary>At most <paramref name="length"/> characters, an ellipsis marking a cut.</summary>
    public static string Shorten(string value, int length) => value.Length <= length ? value : value[..(length - 1)] + "…";

    /// <summary>Line breaks as <c>\n</c>, trailing spaces and runs of blank lines gone, trimmed.</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').Select(l => l.TrimEnd());
        var result = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            blank = line.Length == 0 ? blank + 1 : 0;
            if (blank < 2)
            {
                result.Append(line).Append('\n');
            }
        }

        return result.ToString().Trim();
    }

    /// <summary>The whole HTML part as readable text: blocks on their own lines, quoted blocks as <c>&gt;</c> lines, links with their address.</summary>
    public static string FromHtml(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }

        var document = new HtmlParser().ParseDocument(html);
        var text = new StringBuilder();
        Render(document.Body ?? (INode)document.DocumentElement, text);
        return Normalize(text.ToString());
    }

    /// <summary>The HTML part made safe to show: no scripts, forms, frames or event handlers, and nothing fetched from elsewhere (images and remote styles go).</summary>
    public static string SanitizeHtml(string html) => Sanitizer.Sanitize(html);

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedTags.Remove("img");
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedAtRules.Clear();
        foreach (var property in sanitizer.AllowedCssProperties.Where(p => p.Contains("background", StringComparison.Ordinal) || p.Contains("image", StringComparison.Ordinal)).ToList())
        {
            sanitizer.AllowedCssProperties.Remove(property);
        }

        sanitizer.AllowedAttributes.Remove("src");
        return sanitizer;
    }

    private static int? HistoryStart(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (Separator().IsMatch(line) || Signature(lines[i]) || SentFrom().IsMatch(line))
            {
                return i;
            }

            if (Attribution().IsMatch(line) || (i + 1 < lines.Length && Attribution().IsMatch(line + " " + lines[i + 1].Trim()) && OpensAttribution().IsMatch(line)))
            {
                return i;
            }

            if (HeaderBlock(lines, i))
            {
                return i;
            }

            // Quoted lines: history when nothing but quotes, blank lines and a signature follow (an inline answer keeps all).
            if (line.StartsWith('>') && lines.Skip(i).All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('>')))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Outlook's block: a "From:" line with "Sent:" or "Date:" among the next lines.</summary>
    private static bool HeaderBlock(string[] lines, int i) =>
        FromHeader().IsMatch(lines[i].TrimStart('>', ' ', '*'))
        && lines.Skip(i + 1).Take(4).Any(l => SentHeader().IsMatch(l.TrimStart('>', ' ', '*')));

    private static bool Signature(string line) => line is "--" or "-- " or "—" || line == "__";

    private static void Render(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(Whitespace().Replace(t.Data, " "));
                    break;
                case IElement e when e.LocalName is "script" or "style" or "head" or "title":
                    break;
                case IElement e when e.LocalName == "br":
                    text.Append('\n');
                    break;
                case IElement e when e.LocalName == "blockquote":
                    var quoted = new StringBuilder();
                    Render(e, quoted);
                    text.Append('\n');
                    foreach (var line in Normalize(quoted.ToString()).Split('\n'))
                    {
                        text.Append("> ").Append(line).Append('\n');
                    }

                    break;
                case IElement e when e.LocalName == "a":
                    var before = text.Length;
                    Render(e, text);
                    var label = text.ToString(before, text.Length - before).Trim();
                    if (e.GetAttribute("href") is { } href && href.StartsWith("http", StringComparison.OrdinalIgnoreCase) && label != href)
                    {
                        text.Append(" <").Append(href).Append('>');
                    }

                    break;
                case IElement e when e.LocalName == "img":
                    if (e.GetAttribute("alt") is { Length: > 0 } alt)
                    {
                        text.Append('[').Append(alt).Append(']');
                    }

                    break;
                case IElement e when Block(e.LocalName):
                    text.Append('\n');
                    Render(e, text);
                    text.Append('\n');
                    break;
                case IElement e when e.LocalName is "td" or "th":
                    Render(e, text);
                    text.Append(' ');
                    break;
                default:
                    Render(child, text);
                    break;
            }
        }
    }

    private static bool Block(string name) => name is "p" or "div" or "tr" or "li" or "ul" or "ol" or "table" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "pre" or "hr" or "section" or "article" or "header" or "footer";

    [GeneratedRegex(@"^(-{2,}\s*(Original Message|Forwarded message|Weitergeleitete Nachricht|Message d'origine|Message transféré|Mensaje original|Ursprüngliche Nachricht)\s*-{2,}|Begin forwarded message:|_{10,})$", RegexOptions.IgnoreCase)]
    private static partial Regex Separator();

    [GeneratedRegex(@"^(On|Am|Le|El|Op|Il) .{4,300}(wrote|schrieb|a écrit|escribió|schreef|ha scritto)(\s.{0,200})?\s*:$", RegexOptions.IgnoreCase)]
    private static partial Regex Attribution();

    [GeneratedRegex(@"^(On|Am|Le|El|Op|Il) \S", RegexOptions.IgnoreCase)]
    private static partial Regex OpensAttribution();

    [GeneratedRegex(@"^(Sent from my |Sent from Outlook|Get Outlook for |Von meinem .* gesendet|Envoyé de mon )", RegexOptions.IgnoreCase)]
    private static partial Regex SentFrom();

    [GeneratedRegex(@"^(From|Von|De):\s*\S", RegexOptions.IgnoreCase)]
    private static partial Regex FromHeader();

    [GeneratedRegex(@"^(Sent|Date|Gesendet|Datum|Envoyé|Enviado):\s*\S", RegexOptions.IgnoreCase)]
    private static partial Regex SentHeader();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
