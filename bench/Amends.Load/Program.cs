using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amends.Load;
using Amends.Reliability;
using Amends.Web;
using Npgsql;

// Load run of issue 13: the real server (published in Release, started as `dotnet Amends.Web.dll`, the README's
// production way) on SQLite and on PostgreSQL, seeded to each volume, driven with wrk over HTTP at each connection count:
// every list filter the API offers, get one case, a timeline page, and create. Optionally Request Tracker 5 in the same
// run (../shared/peers), for the ratios. Figures go to stdout as a Markdown table and to --out.
//
// dotnet run -c Release --project bench/Amends.Load -- [--db sqlite,postgres] [--cases 10000,1000000] [--seconds 10]
//     [--connections 1,8] [--postgres "Host=…;Username=…;Database=postgres"] [--only list,get,timeline,create,ingest,score,model,detect] [--filter NAME]
//     [--out results.md] [--rt]
var options = Options.Parse(args);
var work = Path.Combine(Path.GetTempPath(), "amends-load");
Directory.CreateDirectory(work);
Console.WriteLine("Publishing Amends.Web (Release)…");
var published = await Publish.EnsureAsync(Path.Combine(work, "publish"));
var report = new StringBuilder();
report.AppendLine($"Load run {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, wrk {options.Seconds} s per figure");
report.AppendLine();
report.AppendLine("| database | cases | call | connections | requests/s | p50 ms | p95 ms | p99 ms | errors |");
report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");

foreach (var db in options.Databases)
{
    foreach (var size in options.Cases)
    {
        await RunOneAsync(db, size);
    }
}

if (options.Rt)
{
    await RunPeerAsync();
}

Console.WriteLine();
Console.WriteLine(report);
if (options.Out is { } outFile)
{
    await File.AppendAllTextAsync(outFile, report + "\n");
}

return;

async Task RunOneAsync(string db, int size)
{
    var postgres = db == "postgres";
    var dir = Path.Combine(work, $"{db}-{size}");
    if (Directory.Exists(dir))
    {
        Directory.Delete(dir, recursive: true);
    }

    Directory.CreateDirectory(dir);
    string connection;
    if (postgres)
    {
        var admin = options.Postgres ?? Environment.GetEnvironmentVariable("AMENDS_TEST_POSTGRES")
            ?? throw new ArgumentException("Give --postgres or AMENDS_TEST_POSTGRES for the PostgreSQL runs.");
        var name = $"amends_load_{size}";
        await using (var server = new NpgsqlConnection(admin))
        {
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE); CREATE DATABASE {name};", server);
            await drop.ExecuteNonQueryAsync();
        }

        connection = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }
    else
    {
        connection = $"Data Source={Path.Combine(dir, "amends.db")}";
    }

    var settings = new Dictionary<string, string>
    {
        ["Database__Provider"] = postgres ? "Postgres" : "Sqlite",
        ["ConnectionStrings__Amends"] = connection,
        ["Amends__Demo"] = "false",
        ["Amends__Bootstrap__AdminEmail"] = "load@amends.test",
        ["Amends__Bootstrap__AdminPassword"] = "Load-Admin-Password-1",
        ["Amends__Bootstrap__ApiKey"] = Options.AdminKey,
        ["Amends__Ledger__KeyFile"] = Path.Combine(dir, "ledger.key"),
        ["Amends__Security__AllowInsecureCookies"] = "true",
        ["Amends__PublicBaseUrl"] = "http://127.0.0.1",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    Console.WriteLine($"{db} {size:N0}: migrating and seeding…");
    var seedWatch = Stopwatch.StartNew();
    var inProcess = AmendsApp.Build([.. settings.Select(s => $"--{s.Key.Replace("__", ":")}={s.Value}"), "--Amends:Jobs:Enabled=false", "--urls=http://127.0.0.1:0"], withUi: false);
    await inProcess.StartAsync();
    var seeded = await LoadSeed.RunAsync(inProcess.Services, postgres, size);
    await inProcess.StopAsync();
    await inProcess.DisposeAsync();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Console.WriteLine($"  seeded in {seedWatch.Elapsed.TotalSeconds:F1} s");

    await using var serverProcess = new ServerProcess(published, settings);
    await serverProcess.StartAsync(TimeSpan.FromMinutes(2));
    var baseUrl = serverProcess.BaseAddress.ToString().TrimEnd('/');
    var cookie = await SignInAsync(serverProcess.BaseAddress, seeded.AgentEmail, seeded.AgentPassword);
    var cookieHeaders = new Dictionary<string, string> { ["Cookie"] = cookie };
    var keyHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + Options.AdminKey };

    // The case fetched: one of the heavy customer's (1 % of all cases), with a timeline of 40 entries.
    using var api = new HttpClient { BaseAddress = serverProcess.BaseAddress };
    api.DefaultRequestHeaders.Authorization = new("Bearer", Options.AdminKey);
    var opened = await api.PostAsJsonAsync("/api/cases", new { customerId = seeded.HeavyCustomer, category = "LateDelivery", summary = "The case the load run fetches", channel = "Email" });
    opened.EnsureSuccessStatusCode();
    var target = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    for (var i = 0; i < 36; i++)
    {
        (await api.PostAsJsonAsync($"/api/cases/{target}/notes", new { body = $"Note {i}: called the courier again." })).EnsureSuccessStatusCode();
    }

    var team = seeded.Teams[3];
    var agent = seeded.Agents[5];
    var lists = new (string Name, string Query)[]
    {
        ("no filter", ""),
        ("status=New", "status=New"),
        ("team inbox (team + open)", $"status=open&teamId={team}"),
        ("mine (owner + open)", $"status=open&ownerId={agent}"),
        ("unassigned (none + open)", "status=open&ownerId=none"),
        ("owner, every status", $"ownerId={agent}"),
        ("priority=Urgent", "priority=Urgent"),
        ("customer (1 % of cases)", $"customerId={seeded.HeavyCustomer}"),
        ("sla=breached", "sla=breached"),
        ("sla=at-risk", "sla=at-risk"),
        ("team + breached", $"teamId={team}&sla=breached"),
        ("escalated", "escalated=true"),
        ("team + escalated", $"teamId={team}&escalated=true"),
        ("q word", "q=courier"),
        ("q prefix", "q=cour"),
        ("q customer name", "q=" + Uri.EscapeDataString("Customer 17")),
        ("q case number", $"q=AM-{seeded.SampleNumber}"),
        ("q e-mail", "q=" + Uri.EscapeDataString(seeded.SampleEmail)),
        ("q phone", "q=" + Uri.EscapeDataString(seeded.SamplePhone)),
    };

    // Warm-up: every call for a second first, so the figures are of code the JIT has finished optimising (tiered
    // compilation), as in a server that has been up for a while, not of the first requests after a start.
    var createBody = JsonSerializer.Serialize(new { customerId = seeded.HeavyCustomer, category = "LateDelivery", summary = "Load run case {n}", channel = "Email" });
    var createHeaders = new Dictionary<string, string>(cookieHeaders) { ["Content-Type"] = "application/json", ["X-Requested-With"] = "wrk" };
    Console.WriteLine("  warming up…");
    foreach (var (_, query) in lists)
    {
        await Wrk.RunAsync($"{baseUrl}/api/cases?{query}", 8, 1, cookieHeaders, workDirectory: dir);
    }

    await Wrk.RunAsync($"{baseUrl}/api/cases/{target}", 8, 1, cookieHeaders, workDirectory: dir);
    await Wrk.RunAsync($"{baseUrl}/api/cases/{target}", 8, 1, keyHeaders, workDirectory: dir);
    await Wrk.RunAsync($"{baseUrl}/api/cases/{target}/timeline?pageSize=20", 8, 1, cookieHeaders, workDirectory: dir);
    if (options.Runs("create"))
    {
        await Wrk.RunAsync($"{baseUrl}/api/cases", 8, 1, createHeaders, "POST", createBody, dir);
    }

    foreach (var connections in options.Connections)
    {
        if (options.Runs("list"))
        {
            foreach (var (name, query) in lists.Where(l => options.Filter is null || l.Name.Contains(options.Filter, StringComparison.OrdinalIgnoreCase)))
            {
                await Measure($"list: {name}", $"{baseUrl}/api/cases?{query}", connections, cookieHeaders);
            }
        }

        if (options.Runs("get"))
        {
            await Measure("get one case", $"{baseUrl}/api/cases/{target}", connections, cookieHeaders);
            await Measure("get one case (API key)", $"{baseUrl}/api/cases/{target}", connections, keyHeaders);
        }

        if (options.Runs("timeline"))
        {
            await Measure("timeline page", $"{baseUrl}/api/cases/{target}/timeline?pageSize=20", connections, cookieHeaders);
        }

        if (options.Runs("create"))
        {
            await Measure("create", $"{baseUrl}/api/cases", connections, createHeaders, "POST", createBody);
        }
    }

    // Issue 9: the score API at a fixed 50 requests/s with nothing else running, then the sentence model reading texts in
    // the background (before the ingestion figures, whose texts would keep it busy for minutes).
    if (options.Runs("score"))
    {
        var texts = ModelRun.Texts();
        await ModelRun.ScoreAsync(serverProcess.BaseAddress, Options.AdminKey, texts, 5, 50);
        var latency = await ModelRun.ScoreAsync(serverProcess.BaseAddress, Options.AdminKey, texts, options.Seconds, 50);
        var row = $"| {db} | {size:N0} | POST /api/detection/score, a fixed 50/s open loop, {latency.Requests:N0} different texts | | {latency.PerSecond:N0} | {latency.P50Ms:F1} | {latency.P95Ms:F1} | {latency.P99Ms:F1} | {latency.Errors} |";
        Console.WriteLine(row);
        report.AppendLine(row);
    }

    List<string>? modelTexts = null;
    var backgroundRate = 0.0;
    if (options.Runs("model"))
    {
        modelTexts = ModelRun.Texts();
        var background = await ModelRun.BackgroundAsync(serverProcess.BaseAddress, Options.AdminKey, modelTexts, runId: size);
        backgroundRate = background.PerSecond;
        var row = $"| {db} | {size:N0} | sentence model in the background: {background.Texts:N0} texts stored and read in {background.Seconds:F1} s; the {background.Waiting:N0} still waiting once stored, read at | 1 core | {background.PerSecond:N0} texts/s | | | | |";
        Console.WriteLine(row);
        report.AppendLine(row);
    }

    if (options.Runs("detect"))
    {
        var detection = await ModelRun.DetectionAsync(serverProcess.BaseAddress, Options.AdminKey, ModelRun.Texts(), options.Seconds, runId: size);
        var row = $"| {db} | {size:N0} | negative message → its case and the acknowledgement in the outbox, while ingesting {detection.TextsPerSecond:N0} texts/s and {detection.BehaviourPerSecond:N0} events/s ({detection.Samples} samples, {detection.WithoutAcknowledgement} without an acknowledgement) | 1 | | {detection.P50Ms:F0} | {detection.P95Ms:F0} | | |";
        Console.WriteLine(row);
        report.AppendLine(row);
    }

    if (options.Runs("ingest"))
    {
        // Issue 9: batched signal ingestion against the bare insert of the same rows (its ceiling).
        if ((await SignalIngest.PostAsync(serverProcess.BaseAddress, Options.AdminKey, 2, 2, runId: 0)).Failed > 0)
        {
            throw new InvalidOperationException($"Signal batches failed while warming up; the server said:\n{serverProcess.Output}");
        }
        foreach (var connections in options.Connections)
        {
            var posted = await SignalIngest.PostAsync(serverProcess.BaseAddress, Options.AdminKey, options.Seconds, connections, runId: connections);
            var row = $"| {db} | {size:N0} | signals batch (1,000 each): {posted.Signals:N0} stored in {posted.Seconds:F1} s | {connections} | {posted.PerSecond:N0} signals/s | {posted.P50Ms:F0} | {posted.P95Ms:F0} | | {posted.Failed} |";
            Console.WriteLine(row);
            report.AppendLine(row);
        }

    }

    var rss = Memory(serverProcess.ProcessId);
    report.AppendLine($"| {db} | {size:N0} | server memory after the run | | RSS {rss.Rss} MB, peak {rss.Peak} MB | | | | |");
    if (options.Runs("model") || options.Runs("ingest"))
    {
        // The ceilings on a quiet machine: the server stopped (its workers would still be acting on what was stored).
        await serverProcess.KillAsync();
    }

    if (modelTexts is not null)
    {
        var bare = ModelRun.BarePerSecond(modelTexts);
        var ceiling = $"| {db} | {size:N0} | bare sentence model on the same texts (ceiling, one thread, calls of 64 as the server claims, server stopped): background = {backgroundRate / bare:F2} × bare | 1 core | {bare:N0} texts/s | | | | |";
        Console.WriteLine(ceiling);
        report.AppendLine(ceiling);
    }

    if (options.Runs("ingest"))
    {
        var bare = await SignalIngest.BareInsertAsync(connection, postgres);
        var ceiling = $"| {db} | {size:N0} | bare insert of the same rows (ceiling, server stopped) | 1 | {bare:N0} rows/s | | | | |";
        Console.WriteLine(ceiling);
        report.AppendLine(ceiling);
    }

    async Task Measure(string call, string url, int connections, IReadOnlyDictionary<string, string> headers, string method = "GET", string? body = null)
    {
        var result = await Wrk.RunAsync(url, connections, options.Seconds, headers, method, body, dir);
        var row = $"| {db} | {size:N0} | {call} | {connections} | {result.RequestsPerSecond:N0} | {result.P50Ms:F1} | {result.P95Ms:F1} | {result.P99Ms:F1} | {result.Errors} |";
        Console.WriteLine(row);
        report.AppendLine(row);
        if (result.Errors > 0 && result.Errors == result.Requests)
        {
            throw new InvalidOperationException($"Every request of '{call}' failed; the server said:\n{serverProcess.Output}");
        }
    }
}

// Request Tracker 5 on the same machine in the same run (../shared/peers): its own setup and wrk script, cookie
// authentication (its fastest), the same seconds per figure; its table goes into the report as it prints it.
async Task RunPeerAsync()
{
    var peers = Path.Combine(work, "peers");
    if (!Directory.Exists(peers))
    {
        CopyDirectory(Path.Combine(Publish.RepositoryRoot(), "..", "shared", "peers"), peers);
    }

    var environment = new Dictionary<string, string>
    {
        ["PEERS"] = peers,
        ["DURATION"] = options.Seconds.ToString(CultureInfo.InvariantCulture),
        // RT's own PostgreSQL cluster; kept off the port a developer's throw-away server may use.
        ["PG_PORT"] = Environment.GetEnvironmentVariable("RT_PG_CLUSTER_PORT") ?? "55499",
    };
    Console.WriteLine("Request Tracker 5: setting up (Debian packages, both databases)…");
    await ShellAsync(Path.Combine(peers, "rt-setup.sh"), ["both", "start"], environment);
    foreach (var instance in new[] { "sqlite", "pg" })
    {
        Console.WriteLine($"Request Tracker 5 on {instance}: seeding to 10,000 tickets and measuring…");
        var table = await ShellAsync(Path.Combine(peers, "rt-bench.sh"), [instance, "cookie"], environment);
        report.AppendLine();
        report.AppendLine(string.Join('\n', table.Split('\n').SkipWhile(l => !l.StartsWith("RT 5 REST2", StringComparison.Ordinal))));
    }

    await ShellAsync(Path.Combine(peers, "rt-setup.sh"), ["both", "stop"], environment);
}

static async Task<string> ShellAsync(string script, string[] arguments, IReadOnlyDictionary<string, string> environment)
{
    var start = new ProcessStartInfo("bash", [script, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var (key, value) in environment)
    {
        start.Environment[key] = value;
    }

    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var errors = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await errors}");
    }

    return await output;
}

static void CopyDirectory(string from, string to)
{
    Directory.CreateDirectory(to);
    foreach (var file in Directory.GetFiles(from))
    {
        File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    foreach (var dir in Directory.GetDirectories(from))
    {
        CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}

static (long Rss, long Peak) Memory(int? pid)
{
    if (pid is null || !File.Exists($"/proc/{pid}/status"))
    {
        return (0, 0);
    }

    long Field(string[] lines, string name) => long.Parse(lines.First(l => l.StartsWith(name, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    var status = File.ReadAllLines($"/proc/{pid}/status");
    return (Field(status, "VmRSS:"), Field(status, "VmHWM:"));
}

static async Task<string> SignInAsync(Uri baseAddress, string email, string password)
{
    var jar = new CookieContainer();
    using var browser = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    var page = await browser.GetStringAsync("/login");
    var token = Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"|type=\"hidden\" name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
    var fields = new Dictionary<string, string>
    {
        ["email"] = email, ["password"] = password,
        ["__RequestVerificationToken"] = token.Groups[1].Success ? token.Groups[1].Value : token.Groups[2].Value,
    };
    using var response = await browser.PostAsync("/account/login", new FormUrlEncodedContent(fields));
    var cookies = jar.GetCookies(baseAddress).Where(c => c.Name.StartsWith("amends.auth", StringComparison.Ordinal)).ToList();
    if (cookies.Count == 0)
    {
        throw new InvalidOperationException($"Signing in as {email} set no cookie ({(int)response.StatusCode} → {response.Headers.Location}).");
    }

    return string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}"));
}

internal sealed record Options(string[] Databases, int[] Cases, int Seconds, int[] Connections, string? Postgres, string[]? Only, string? Filter, string? Out, bool Rt)
{
    public const string AdminKey = "amk_loadrun0_load-run-admin-key-that-is-long-enough-000000";

    public bool Runs(string part) => Only is null || Only.Contains(part);

    public static Options Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int[] Numbers(string name, string fallback) => (Value(name) ?? fallback).Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        return new Options(
            (Value("--db") ?? "sqlite").Split(','),
            Numbers("--cases", "10000"),
            int.Parse(Value("--seconds") ?? "10", CultureInfo.InvariantCulture),
            Numbers("--connections", "1,8"),
            Value("--postgres"),
            Value("--only")?.Split(','),
            Value("--filter"),
            Value("--out"),
            args.Contains("--rt"));
    }
}
