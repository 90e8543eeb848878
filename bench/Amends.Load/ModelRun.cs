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

    public sealed record Background(int Texts, double Seconds, int Waiting, double PerSecond);

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

        // From here the model's own rate: the texts still waiting once all are stored, until none is (the status is read
        // twice a second, a cheap count off the backlog's index).
        var waiting = (await http.GetFromJsonAsync<JsonElement>("/api/detection/status")).GetProperty("backlog").GetInt32();
        var reading = Stopwatch.StartNew();
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

            await Task.Delay(500);
        }

        return new Background(texts.Count, watch.Elapsed.TotalSeconds, waiting, waiting / reading.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The bare model on the same texts, one thread, in calls of as many texts as the server claims at once
    /// (<c>Amends:Detection:ModelBatch</c>, 64; the model sorts each call's windows by length and takes them 32 at a time).
    /// </summary>
    public static double BarePerSecond(IReadOnlyList<string> texts, int batch = 64)
    {
        using var model = new SentenceModel(threads: 1);
        model.Embed([.. texts.Take(batch)]);
        var watch = Stopwatch.StartNew();
        for (var start = 0; start < texts.Count; start += batch)
        {
            model.Embed([.. texts.Skip(start).Take(batch)]);
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

    public sealed record Detection(int Samples, double P50Ms, double P95Ms, int WithoutAcknowledgement, double TextsPerSecond, double BehaviourPerSecond);

    /// <summary>
    /// From a negative message to its case and the customer's acknowledgement in the outbox, while the server ingests 100
    /// text signals and 1,000 behaviour events a second (a batch of 10 and 100 every 100 ms): every 250 ms one risky
    /// message alone, timed until its answer names the case; then the outbox is read to check the acknowledgement is there.
    /// </summary>
    public static async Task<Detection> DetectionAsync(Uri baseAddress, string apiKey, IReadOnlyList<string> texts, int seconds, int runId)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(1) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        int textsSent = 0, eventsSent = 0;
        var clock = Stopwatch.StartNew();
        var load = Task.Run(async () =>
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            var n = 0;
            try
            {
                while (await tick.WaitForNextTickAsync(stop.Token))
                {
                    var at = TimeProvider.System.GetUtcNow();
                    var batch = n++;
                    var items = Enumerable.Range(0, 110).Select(i => i < 10
                        ? (object)new { source = "load-chat", externalId = $"{runId}-t-{batch}-{i}", kind = "Message", occurredAt = at, customer = new { email = $"load{(batch * 10) + i}@detect.test" }, text = texts[((batch * 10) + i) % texts.Count] }
                        : new { source = "load-shop", externalId = $"{runId}-b-{batch}-{i}", kind = "Behaviour", occurredAt = at, customer = new { email = $"shopper{((batch * 100) + i) % 20_000}@detect.test" }, @event = "OrderPlaced", value = 40m });
                    // Sent without waiting for the one before: the rate stays 1,100 a second however long each takes.
                    _ = http.PostAsJsonAsync("/api/signals/batch", new { items }).ContinueWith(t =>
                    {
                        if (t.IsCompletedSuccessfully && t.Result.IsSuccessStatusCode)
                        {
                            Interlocked.Add(ref textsSent, 10);
                            Interlocked.Add(ref eventsSent, 100);
                        }

                        t.Result.Dispose();
                    }, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException)
            {
                // The run's time is up.
            }
        });

        var latencies = new List<double>();
        var caseIds = new List<Guid>();
        var sample = 0;
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync("/api/signals", new
            {
                source = "detect-run", externalId = $"{runId}-angry-{sample}", kind = "Message", channel = "Email", occurredAt = TimeProvider.System.GetUtcNow(),
                customer = new { email = $"angry{runId}-{sample}@detect.test", name = "Angry Sample" },
                text = "I have asked three times for my refund and nobody answers. I am cancelling my account.",
            });
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            sample++;
            var result = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (response.IsSuccessStatusCode && result.TryGetProperty("caseId", out var id) && id.ValueKind == JsonValueKind.String)
            {
                latencies.Add(ms);
                caseIds.Add(id.GetGuid());
            }

            await Task.Delay(Math.Max(0, 250 - (int)ms));
        }

        await load;
        var elapsed = clock.Elapsed.TotalSeconds;
        var without = 0;
        foreach (var caseId in caseIds)
        {
            var outbox = await http.GetFromJsonAsync<JsonElement>($"/api/outbox?caseId={caseId}");
            without += outbox.GetProperty("items").GetArrayLength() == 0 ? 1 : 0;
        }

        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        return new Detection(latencies.Count, Percentile(0.5), Percentile(0.95), without, textsSent / elapsed, eventsSent / elapsed);
    }
}
