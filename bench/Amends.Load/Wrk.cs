using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Amends.Load;

/// <summary>One wrk run's figures, as its Lua <c>done</c> hook reports them.</summary>
public sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P95Ms, double P99Ms, long Requests, long Errors);

/// <summary>
/// Runs <c>wrk</c> (Debian's package) with a generated Lua script: headers, an optional body whose <c>{n}</c> is replaced by a
/// per-request counter (so creates are distinct), and a <c>done</c> hook that prints the percentiles wrk itself keeps.
/// </summary>
public static class Wrk
{
    public static async Task<WrkResult> RunAsync(string url, int connections, int seconds, IReadOnlyDictionary<string, string> headers,
        string method = "GET", string? body = null, string workDirectory = "/tmp")
    {
        var script = new StringBuilder();
        script.AppendLine($"wrk.method = \"{method}\"");
        foreach (var (name, value) in headers)
        {
            script.AppendLine($"wrk.headers[{Lua(name)}] = {Lua(value)}");
        }

        if (body is not null)
        {
            // A counter per thread, prefixed with the thread's own random id, keeps every body distinct.
            script.AppendLine($$"""
                local counter = 0
                local prefix = tostring(math.random(1, 1000000000))
                request = function()
                  counter = counter + 1
                  local b = string.gsub({{Lua(body)}}, "{n}", prefix .. "-" .. counter)
                  return wrk.format(nil, nil, nil, b)
                end
                """);
        }

        script.AppendLine("""
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("WRK_RESULT {\"requests\":%d,\"seconds\":%f,\"p50\":%f,\"p95\":%f,\"p99\":%f,\"errors\":%d}\n",
                summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
                latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout + e.status))
            end
            """);
        // summary.errors.status counts answers of 400 and above; a response() hook would slow wrk down, so there is none.
        var path = Path.Combine(workDirectory, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(path, script.ToString());
        try
        {
            var start = new ProcessStartInfo("wrk", ["-t", Math.Min(connections, 2).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", $"{seconds}s", "--timeout", "10s", "-s", path, url])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start; install it: apt-get install -y wrk");
            var output = await process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("WRK_RESULT ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"wrk printed no result:\n{output}\n{errors}");
            using var json = JsonDocument.Parse(line["WRK_RESULT ".Length..]);
            var root = json.RootElement;
            var requests = root.GetProperty("requests").GetInt64();
            var duration = root.GetProperty("seconds").GetDouble();
            var failed = root.GetProperty("errors").GetInt64();
            return new WrkResult(requests / duration, root.GetProperty("p50").GetDouble(), root.GetProperty("p95").GetDouble(),
                root.GetProperty("p99").GetDouble(), requests, failed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Lua(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
