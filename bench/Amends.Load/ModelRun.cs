using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Amends.Embeddings;
using Amends.Reliability;

namespace Amends.Load;

/// <summary>
/// Issue 9's model figures: the sentence model reading texts in the server's background (ingested in batches, timed until
/// the backlog is empty) against the bare model on the same texts and one core in this process, and
/// <c>/api/detection/score</c> at a fixed 50 requests/s.
/// </summary>
internal static class ModelRun
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

    public sealed record Latency(int Requests, double PerSecond, double P50Ms, double P95Ms, double P99Ms, int Errors);

    /// <summary>
    /// An open-loop client at a fixed rate: request i is sent at i / rate seconds whether or not the ones before it have
    /// answered (so a slow answer cannot slow the arrivals and hide its own delay), each a different text from the shared
    /// data, as a stream of messages would be.
    /// </summary>
    public static async Task<Latency> ScoreAsync(Uri baseAddress, string apiKey, IReadOnlyList<string> texts, int seconds, int rate)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var count = seconds * rate;
        var latencies = new double[count];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var sent = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var index = i;
            sent.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/api/detection/score", new { text = texts[index % texts.Count] });
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }));
        }

        await Task.WhenAll(sent);
        var elapsed = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        double Percentile(double p) => latencies[Math.Min(count - 1, (int)Math.Ceiling(p * count) - 1)];
        return new Latency(count, count / elapsed, Percentile(0.5), Percentile(0.95), Percentile(0.99), errors);
    }
}
