using Amends.Reliability;

// Kill -9 during a burst of case creations with client retries, then count what was lost, duplicated or stuck.
// Usage: dotnet run -c Release --project bench/Amends.Reliability -- [requests] [clients] [kills]
var requests = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var clients = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8;
var kills = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;

var work = Path.Combine(Path.GetTempPath(), "amends-crash-" + Guid.NewGuid().ToString("N")[..8]);
try
{
    Console.WriteLine("Publishing Amends.Web (Release)…");
    var published = await Publish.EnsureAsync(Path.Combine(work, "publish"));
    var result = await CrashRun.RunAsync(new CrashRunOptions(published, Path.Combine(work, "run"), requests, clients, kills), Console.Out);
    Console.WriteLine(result);
    return result.Lost == 0 && result.Duplicated == 0 && result.StuckKeys == 0 && result.Errors.Count == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(work, recursive: true);
}
