using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Amends.Reliability;

public sealed record CrashRunOptions(string PublishDirectory, string WorkDirectory, int Requests = 2000, int Clients = 8, int Kills = 5)
{
    /// <summary>How long a client keeps retrying one request before it counts it lost.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>What a crash run counted. A correct server has <see cref="Lost"/>, <see cref="Duplicated"/> and <see cref="StuckKeys"/> at 0.</summary>
public sealed record CrashRunResult(
    int Requests,
    int Kills,
    int Created,
    int Lost,
    int Duplicated,
    int StuckKeys,
    int RequestsCaughtByAKill,
    TimeSpan LongestRecovery,
    TimeSpan MedianRestart,
    TimeSpan Elapsed,
    IReadOnlyList<string> Errors)
{
    public override string ToString() =>
        $"{Requests} creates, {Kills} kill -9: {Created} cases, {Lost} lost, {Duplicated} duplicated, {StuckKeys} stuck keys; "
        + $"{RequestsCaughtByAKill} requests were in flight at a kill, the slowest completed {LongestRecovery.TotalSeconds:0.0} s after its kill; "
        + $"restart to ready {MedianRestart.TotalSeconds:0.0} s (median); {Elapsed.TotalSeconds:0} s in all"
        + (Errors.Count > 0 ? "\n" + string.Join("\n", Errors.Take(20)) : "");
}

/// <summary>
/// Kill -9 in the middle of a burst of case creations with client retries: <see cref="CrashRunOptions.Clients"/> clients
/// open cases, each with its own <c>Idempotency-Key</c>, and retry every failure (connection refused or reset, 409 in
/// progress, 5xx) with the same key; the server is killed <see cref="CrashRunOptions.Kills"/> times at even intervals and
/// restarted at once. At the end the SQLite file is counted: every request must have exactly one case and no key may
/// be left in progress.
/// </summary>
public static class CrashRun
{
    private const string AdminKey = "amk_crash_run_0123456789abcdefghijklmnopqrstuvwxyz";

    public static async Task<CrashRunResult> RunAsync(CrashRunOptions options, TextWriter? log = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        var database = Path.Combine(options.WorkDirectory, "amends.db");
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Sqlite",
            ["ConnectionStrings__Amends"] = $"Data Source={database}",
            ["Amends__Demo"] = "false",
            ["Amends__Bootstrap__AdminEmail"] = "crash@amends.test",
            ["Amends__Bootstrap__AdminPassword"] = "Crash-Run-Password-1",
            ["Amends__Bootstrap__ApiKey"] = AdminKey,
            ["Amends__PublicBaseUrl"] = "http://127.0.0.1",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var server = new ServerProcess(options.PublishDirectory, environment);
        var startTimeout = TimeSpan.FromSeconds(60);
        await server.StartAsync(startTimeout, ct);

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(20),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var customerId = await CreateCustomerAsync(http, ct);

        var run = Guid.NewGuid().ToString("N")[..8];
        var outcomes = new ConcurrentDictionary<int, string>();
        var errors = new ConcurrentQueue<string>();
        var killTimes = new ConcurrentBag<TimeSpan>();
        var restarts = new List<TimeSpan>();
        var recoveries = new ConcurrentBag<TimeSpan>();
        var caught = 0;
        var completed = 0;
        var next = -1;
        var total = Stopwatch.StartNew();

        async Task ClientAsync()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= options.Requests)
                {
                    return;
                }

                var key = $"{run}-{index}";
                var body = $"{{\"customerId\":\"{customerId}\",\"category\":\"LateDelivery\",\"summary\":\"Crash run {run} #{index}\",\"channel\":\"Email\"}}";
                var started = total.Elapsed;
                var kills = killTimes.Count;
                var giveUp = Stopwatch.StartNew();
                while (true)
                {
                    if (giveUp.Elapsed > options.GiveUpAfter)
                    {
                        errors.Enqueue($"#{index}: gave up after {options.GiveUpAfter}");
                        break;
                    }

                    var retryIn = TimeSpan.FromMilliseconds(200);
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                        request.Headers.Add("Idempotency-Key", key);
                        using var response = await http.SendAsync(request, ct);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                            outcomes[index] = json.RootElement.GetProperty("id").GetString()!;
                            if (killTimes.Count > kills)
                            {
                                Interlocked.Increment(ref caught);
                                var killedAt = killTimes.Where(t => t >= started).DefaultIfEmpty(started).Max();
                                recoveries.Add(total.Elapsed - killedAt);
                            }

                            break;
                        }

                        if (response.StatusCode == HttpStatusCode.Conflict)
                        {
                            retryIn = response.Headers.RetryAfter?.Delta is { } after && after < TimeSpan.FromSeconds(1) ? after : TimeSpan.FromSeconds(1);
                        }
                        else if ((int)response.StatusCode < 500)
                        {
                            errors.Enqueue($"#{index}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                            break;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // The server is down or the connection died under the request: retry with the same key.
                    }
                    catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                    {
                        // Timed out: retry with the same key.
                    }

                    await Task.Delay(retryIn, ct);
                }

                Interlocked.Increment(ref completed);
            }
        }

        async Task KillerAsync()
        {
            for (var kill = 1; kill <= options.Kills; kill++)
            {
                var at = options.Requests * kill / (options.Kills + 1);
                while (Volatile.Read(ref completed) < at)
                {
                    await Task.Delay(5, ct);
                }

                await server.KillAsync();
                killTimes.Add(total.Elapsed);
                log?.WriteLine($"kill -9 #{kill} after {at} requests");
                var restart = Stopwatch.StartNew();
                await server.StartAsync(startTimeout, ct);
                restarts.Add(restart.Elapsed);
            }
        }

        var clients = Enumerable.Range(0, options.Clients).Select(_ => Task.Run(ClientAsync, ct)).ToList();
        await Task.WhenAll([.. clients, KillerAsync()]);
        total.Stop();
        await server.KillAsync();

        var (cases, distinct, stuck) = await CountAsync(database, run, ct);
        var missing = options.Requests - distinct;
        restarts.Sort();
        var sortedRecoveries = recoveries.Order().ToList();
        return new CrashRunResult(
            options.Requests,
            options.Kills,
            cases,
            Math.Max(missing, options.Requests - outcomes.Count),
            cases - distinct,
            stuck,
            caught,
            sortedRecoveries.Count > 0 ? sortedRecoveries[^1] : TimeSpan.Zero,
            restarts.Count > 0 ? restarts[restarts.Count / 2] : TimeSpan.Zero,
            total.Elapsed,
            [.. errors]);
    }

    private static async Task<string> CreateCustomerAsync(HttpClient http, CancellationToken ct)
    {
        using var response = await http.PostAsync("/api/customers",
            new StringContent("{\"name\":\"Crash Run Customer\"}", Encoding.UTF8, "application/json"), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Could not create the customer: {(int)response.StatusCode} {text}");
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<(int Cases, int Distinct, int Stuck)> CountAsync(string database, string run, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), COUNT(DISTINCT Summary) FROM Cases WHERE Summary LIKE $prefix";
        count.Parameters.AddWithValue("$prefix", $"Crash run {run} #%");
        await using var reader = await count.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var cases = reader.GetInt32(0);
        var distinct = reader.GetInt32(1);
        await using var stuck = connection.CreateCommand();
        stuck.CommandText = "SELECT COUNT(*) FROM IdempotencyRecords WHERE ResponseStatus = 0";
        var stuckKeys = Convert.ToInt32(await stuck.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        return (cases, distinct, stuckKeys);
    }
}
