using System.Globalization;
using Amends.Domain.Common;
using nietras.SeparatedValues;

namespace Amends.Web.Features.Signals;

/// <summary>
/// Signals from a CSV file (a survey tool's export, a shop's order log, a review site's download), read with Sep: a header
/// row naming the columns (any order, any case: <see cref="Columns"/>), then one signal per row. Each row is checked and
/// stored on its own through <see cref="SignalIntake"/>, in batches of 500: a bad row is reported with its line and
/// field and the others are stored; a row sent again is a replay. Progress is reported after each batch.
/// </summary>
public sealed class SignalCsvImport(SignalIntake intake)
{
    /// <summary>The columns a file may have; <c>source</c>, <c>externalId</c>, <c>kind</c> and <c>occurredAt</c> are required.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "source", "externalId", "kind", "occurredAt", "email", "phone", "customerExternalId", "name", "surveyType", "score",
        "rating", "site", "event", "value", "channel", "text", "product", "location", "orderReference",
    ];

    public const int MaxRows = 100_000;

    public const long MaxBytes = 64L * 1024 * 1024;

    private const int Batch = 500;

    private static readonly string[] Required = ["source", "externalId", "kind", "occurredAt"];

    /// <summary>Reads and stores the file; <paramref name="progress"/> hears the rows done after each batch.</summary>
    public async Task<CsvImportResult> ImportAsync(Stream csv, IProgress<CsvImportProgress>? progress, CancellationToken ct)
    {
        var (rows, errors, headerError) = Read(csv);
        if (headerError is not null)
        {
            return new CsvImportResult(0, 0, 0, 0, 0, [new CsvRowError(1, null, headerError)]);
        }

        var parsed = rows.Where(r => r.Request is not null).ToList();
        int stored = 0, replayed = 0, acting = 0;
        progress?.Report(new CsvImportProgress(0, rows.Count));
        var done = rows.Count - parsed.Count;
        for (var start = 0; start < parsed.Count; start += Batch)
        {
            var chunk = parsed.Skip(start).Take(Batch).ToList();
            var outcomes = await intake.IngestAsync([.. chunk.Select(r => r.Request)], ct, actNow: false);
            foreach (var outcome in outcomes)
            {
                var line = chunk[outcome.Index].Line;
                if (outcome.Errors is { } refused)
                {
                    errors.AddRange(refused.Select(e => new CsvRowError(line, e.Field, e.Message)));
                }
                else if (outcome.Result is { Replayed: true })
                {
                    replayed++;
                }
                else if (outcome.Result is { } result)
                {
                    stored++;
                    acting += result.Action == Domain.Signals.SignalAction.Pending ? 1 : 0;
                }
            }

            done += chunk.Count;
            progress?.Report(new CsvImportProgress(done, rows.Count));
        }

        var invalid = errors.Select(e => e.Line).Distinct().Count();
        return new CsvImportResult(rows.Count, stored, replayed, invalid, acting, [.. errors.OrderBy(e => e.Line)]);
    }

    private sealed record Row(int Line, SignalRequest? Request);

    private static (List<Row> Rows, List<CsvRowError> Errors, string? HeaderError) Read(Stream csv)
    {
        var rows = new List<Row>();
        var errors = new List<CsvRowError>();
        using var reader = Sep.Reader(o => o with { Unescape = true, Trim = SepTrim.Outer, DisableColCountCheck = true }).From(csv);
        var names = reader.Header.ColNames;
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Count; i++)
        {
            index.TryAdd(names[i].Trim(), i);
        }

        var missing = Required.Where(c => !index.ContainsKey(c)).ToList();
        if (names.Count == 0 || missing.Count > 0)
        {
            return (rows, errors, $"The first row names the columns; {string.Join(", ", missing.DefaultIfEmpty("source"))} missing. Columns: {string.Join(", ", Columns)}.");
        }

        foreach (var row in reader)
        {
            var line = row.LineNumberFrom;
            if (rows.Count >= MaxRows)
            {
                errors.Add(new CsvRowError(line, null, $"A file holds at most {MaxRows:N0} rows: this row and those after it were not read."));
                break;
            }

            // The row's cells, copied out of the reader's buffer (a Sep row lives only until the next one is read).
            var cells = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var column in Columns)
            {
                if (index.TryGetValue(column, out var at) && at < row.ColCount && row[at].Span.Trim() is { Length: > 0 } cell)
                {
                    cells[column] = cell.ToString();
                }
            }

            string? Cell(string column) => cells.GetValueOrDefault(column);

            var rowErrors = new List<CsvRowError>();
            T? Parse<T>(string column, Func<string, T?> parse, string expect)
                where T : struct
            {
                var value = Cell(column);
                if (value is null)
                {
                    return null;
                }

                var parsed = parse(value);
                if (parsed is null)
                {
                    rowErrors.Add(new CsvRowError(line, column, $"{column} \"{value}\" is not {expect}."));
                }

                return parsed;
            }

            var occurredAt = Parse("occurredAt", v => DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : (DateTimeOffset?)null,
                "a date and time (2026-11-30T14:05:00Z; without an offset it is read as UTC)");
            var score = Parse("score", v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int?)null, "a whole number");
            var rating = Parse("rating", v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int?)null, "a whole number");
            var value = Parse("value", v => decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out var n) ? n : (decimal?)null, "a number");
            if (rowErrors.Count > 0)
            {
                errors.AddRange(rowErrors);
                rows.Add(new Row(line, null));
                continue;
            }

            var customer = new SignalCustomer(Cell("customerExternalId"), Cell("email"), Cell("phone"), Cell("name"));
            rows.Add(new Row(line, new SignalRequest(
                Cell("source"), Cell("externalId"), Cell("kind"), occurredAt, customer, Cell("surveyType"), score, rating, Cell("site"),
                Cell("event"), value, Cell("channel"), Cell("text"), Cell("product"), Cell("location"), Cell("orderReference"))));
        }

        return (rows, errors, null);
    }
}

/// <summary>Rows read so far of all the file's rows.</summary>
public sealed record CsvImportProgress(int Done, int Total);

/// <summary>One reason a row was not stored: its line in the file (the header is line 1) and the column, when one is to blame.</summary>
public sealed record CsvRowError(int Line, string? Field, string Message);

/// <summary>
/// What an import did: rows read, signals stored new, replays (stored before), rows refused (each with its errors), and
/// how many of the new signals will open or go onto a case.
/// </summary>
public sealed record CsvImportResult(int Rows, int Stored, int Replayed, int Invalid, int Acting, IReadOnlyList<CsvRowError> Errors);
