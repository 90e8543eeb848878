using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Amends.Reliability;

/// <summary>
/// The published app started as a real child process (<c>dotnet Amends.Web.dll</c>), the way the README's production
/// section runs it: its own content root, settings from environment variables, one port on loopback.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly string _publishDirectory;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly List<string> _output = [];
    private Process? _process;

    public ServerProcess(string publishDirectory, IReadOnlyDictionary<string, string> environment, int? port = null)
    {
        _publishDirectory = publishDirectory;
        _environment = environment;
        Port = port ?? FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>What the process wrote to stdout and stderr, for a failure message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(200));
            }
        }
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's process id while it runs (for its memory, read from /proc).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Starts the process and waits until <c>/health/live</c> answers (or it exits, which fails with its output).</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(_publishDirectory, "Amends.Web.dll"), "--urls", BaseAddress.ToString()])
        {
            WorkingDirectory = _publishDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("/health/live", ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Listening but slow to answer its first request.
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException($"The server did not answer /health/live within {timeout}:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly what a crash or an OOM kill does.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 2000)
            {
                _output.RemoveRange(0, 1000);
            }
        }
    }
}
