using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amends.Embeddings;
using Amends.Reliability;

namespace Amends.Load;

/// <summary>
/// Issue 9's model figures: the sentence model reading texts in the server's background (ingested in batches, timed until
/// the backlog is empty) against the bare model on the same texts and one core in this process, and
/// <c>/api/detection/score</c> at a fixed 50 requests/s with <c>hey</c>.
/// </summary>
internal static partial class ModelRun
{
    /// <summary>The UCI product and restaurant review sentences (../shared/data), each twice: short texts like most messages.</summary>
    public static List<string> Texts()
    {
        var folder = Path.Combine(Publish.RepositoryRoot(), "..", "shared", "data", "uci_sentiment");
        var sentences = new[] { "amazon_cells_labelled.txt", "yelp_labelled.txt" }
            .SelectMany(f => File.ReadLines(Path.Combine(folder, f)))
            .Select(l => l.Split('\t')[0].Trim()).Where(t => t.Length > 0).ToList();
        return [.. sentences, .. sentences];
    }

    public sealed record Background(int Texts, double Seconds, double PerSecond);

    /// <summary>Stores the texts as message signals in batches of 500, then waits until the model has read every one.</summary>
    public static async Task<Background> BackgroundAsync(Uri baseAddress, string apiKey, IReadOnlyList<string> texts, int runId)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var at = TimeProvider.System.GetUtcNow();
        var watch = Stopwatch.StartNew();
        for (var start = 0; start < texts.Count; start += 500)
        {
            var items = texts.Skip(start).Take(500).Select((t, i) => new
            {
                source = "model-run", externalId = $"{runId}-{start + i}", kind = "Message", occurredAt = at,
                customer = new { email = $"reader{(start + i) % 5000}@model.test" }, text = t,
            });
            using var response = await http.PostAsJsonAsync("/api/signals/batch", new { items });
            response.EnsureSuccessStatusCode();
        }

        while (true)
        {
            var status = await http.GetFromJsonAsync<JsonElement>("/api/detection/status");
            if (status.GetProperty("backlog").GetInt32() == 0)
            {
                break;
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(20))
            {
                throw new TimeoutException($"The model still had {status.GetProperty("backlog").GetInt32()} texts to read after 20 minutes.");
            }

            await Task.Delay(200);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return new Background(texts.Count, seconds, texts.Count / seconds);
    }

    /// <summary>The bare model on the same texts, one thread, batches as the server makes them (32, riskiest first there; here in order).</summary>
    public static double BarePerSecond(IReadOnlyList<string> texts)
    {
        using var model = new SentenceModel(threads: 1);
        model.Embed([.. texts.Take(64)]);
        var watch = Stopwatch.StartNew();
        for (var start = 0; start < texts.Count; start += 32)
        {
            model.Embed([.. texts.Skip(start).Take(32)]);
        }

        return texts.Count / watch.Elapsed.TotalSeconds;
    }

    public sealed record Latency(double PerSecond, double P50Ms, double P95Ms, double P99Ms, int Errors);

    /// <summary><c>hey</c> at a fixed rate (5 workers × rate/5 per second) posting one short message to the score API.</summary>
    public static async Task<Latency> ScoreAsync(Uri baseAddress, string apiKey, int seconds, int rate)
    {
        var body = JsonSerializer.Serialize(new { text = "I ordered a week ago, the parcel still has not arrived and nobody answers my e-mails." });
        var start = new ProcessStartInfo("hey",
        [
            "-z", $"{seconds}s", "-c", "5", "-q", (rate / 5).ToString(CultureInfo.InvariantCulture), "-m", "POST",
            "-T", "application/json", "-H", $"Authorization: Bearer {apiKey}", "-d", body, new Uri(baseAddress, "/api/detection/score").ToString(),
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("hey did not start: apt-get install hey");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        double Figure(Regex pattern) => pattern.Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        var errors = StatusCodes().Matches(output).Where(m => m.Groups[1].Value != "200").Sum(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        return new Latency(Figure(RequestsPerSecond()), Figure(Percent("50")) * 1000, Figure(Percent("95")) * 1000, Figure(Percent("99")) * 1000, errors);
    }

    private static Regex Percent(string p) => new($@"\b{p}%% in ([0-9.]+) secs".Replace("%%", "%", StringComparison.Ordinal));

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"\[(\d{3})\]\s+(\d+) responses")]
    private static partial Regex StatusCodes();
}
