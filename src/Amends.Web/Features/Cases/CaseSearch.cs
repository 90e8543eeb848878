using System.Text;
using Amends.Domain.Cases;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace Amends.Web.Features.Cases;

/// <summary>
/// Text search of cases on the database's own full-text index: on SQLite the FTS5 table <see cref="SqliteTable"/>
/// (kept by triggers on Cases), on PostgreSQL the stored tsvector column <see cref="Column"/> behind a GIN index. Both
/// index the case number, the summary and the customer's name; every word of the query must match, the last one as a
/// word or the start of one ("refund cour" finds "refund courier").
/// </summary>
public static class CaseSearch
{
    /// <summary>The tsvector column (PostgreSQL only, a shadow property).</summary>
    public const string Column = "SearchVector";

    /// <summary>The FTS5 table (SQLite only); its rowid is the case number.</summary>
    public const string SqliteTable = "CaseSearch";

    /// <summary>At most this many words of a query count; more would only slow the search down.</summary>
    public const int MaxWords = 8;

    /// <summary>The query's words: runs of letters and digits, lower case, as both indexes split text.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormC))
        {
            if (char.IsLetterOrDigit(ch))
            {
                word.Append(char.ToLowerInvariant(ch));
            }
            else if (word.Length > 0)
            {
                Add();
            }
        }

        Add();
        return words;

        void Add()
        {
            if (word.Length > 0 && words.Count < MaxWords && !words.Contains(word.ToString()))
            {
                words.Add(word.ToString(0, Math.Min(word.Length, 64)));
            }

            word.Clear();
        }
    }

    /// <summary>"+44 20 7946 0958", "(555) 010-9999": digits with the usual separators, at least seven digits.</summary>
    public static bool LooksLikePhone(string text) =>
        text.Count(char.IsAsciiDigit) >= 7 && text.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')
        && (text.StartsWith('+') || text.Contains(' ') || text.Contains('-') || text.Contains('('));

    /// <summary>
    /// Cases whose number, summary or customer name hold every word (the last as a word or a prefix). With <paramref name="newest"/>
    /// only that many of the newest matches (SQLite: read off the full-text index in number order, no sort), for a page of
    /// a search with no other filter.
    /// </summary>
    public static IQueryable<RecoveryCase> Matching(AmendsDbContext db, IReadOnlyList<string> words, int? newest = null)
    {
        // Every word whole but the last, which may be the start of one ("refund cour" finds "refund courier"): whole
        // words are read off the index in order and stop at the page, a prefix gathers every term it starts first.
        if (db.IsPostgres)
        {
            var query = string.Join(" & ", words.Select((w, i) => i == words.Count - 1 ? w + ":*" : w));
            return db.Cases.Where(c => EF.Property<NpgsqlTsVector>(c, Column).Matches(EF.Functions.ToTsQuery("simple", query)));
        }

        // FTS5 query syntax: each word quoted (no operators get through), * for a prefix; words side by side must all match.
        // The table's rowid is the case number.
        var match = string.Join(" ", words.Select((w, i) => "\"" + w + "\"" + (i == words.Count - 1 ? "*" : "")));
        var numbers = newest is { } n
            ? db.Database.SqlQuery<long>($"SELECT rowid AS \"Value\" FROM \"CaseSearch\" WHERE \"CaseSearch\" MATCH {match} ORDER BY rowid DESC LIMIT {n}")
            : db.Database.SqlQuery<long>($"SELECT rowid AS \"Value\" FROM \"CaseSearch\" WHERE \"CaseSearch\" MATCH {match}");
        return db.Cases.Where(c => numbers.Contains(c.Number));
    }
}
