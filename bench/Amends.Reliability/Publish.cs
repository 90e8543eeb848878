using System.Diagnostics;

namespace Amends.Reliability;

/// <summary>Publishes Amends.Web in Release, as the README's production section says, once per run.</summary>
public static class Publish
{
    /// <summary>The variable test.sh sets to the folder it published into, so the tests publish once for all.</summary>
    public const string Variable = "AMENDS_PUBLISHED";

    /// <summary>The published folder: <c>AMENDS_PUBLISHED</c> when set, else a fresh <c>dotnet publish</c> into <paramref name="fallback"/>.</summary>
    public static async Task<string> EnsureAsync(string fallback, CancellationToken ct = default)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } published)
        {
            if (!File.Exists(Path.Combine(published, "Amends.Web.dll")))
            {
                throw new InvalidOperationException($"{Variable}={published} holds no Amends.Web.dll.");
            }

            return published;
        }

        var project = Path.Combine(RepositoryRoot(), "src", "Amends.Web", "Amends.Web.csproj");
        var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", fallback, "-nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed:\n{await output}\n{await errors}");
        }

        return fallback;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Amends.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Amends.slnx not found above " + AppContext.BaseDirectory);
    }
}
