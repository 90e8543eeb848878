using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Amends.Domain.Teams;
using Amends.Web.Features.Admin;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Infrastructure;

/// <summary>
/// The real app on a real Kestrel port over a real database. Starts with a configured admin and API key (as a real
/// installation would), then creates an agent, a supervisor and a second admin, each with an API key, through the API.
/// </summary>
public class TestApp : IAsyncLifetime
{
    public const string AdminEmail = "root@amends.test";
    public const string AdminPassword = "Bootstrap-Password-1";
    public const string BootstrapKey = "amk_bootstrap_0123456789abcdefghijklmnopqrstuvwxyz";

    private readonly string _provider;
    private readonly bool _demo;
    private readonly List<HttpClient> _clients = [];
    private AppFactory? _factory;

    private readonly TimeProvider? _time;
    private readonly Dictionary<string, string?> _extraSettings;

    public TestApp(string provider, bool demo = false, TestDatabase? sharedDatabase = null, TimeProvider? time = null, Dictionary<string, string?>? settings = null)
    {
        _provider = provider;
        _demo = demo;
        _time = time;
        _extraSettings = settings ?? [];
        Database = sharedDatabase!;
        OwnsDatabase = sharedDatabase is null;
    }

    public TestDatabase Database { get; private set; }

    private bool OwnsDatabase { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public string ContentRoot { get; } = Path.Combine(Path.GetTempPath(), "amends-tests", "root-" + Guid.NewGuid().ToString("N"));

    public IServiceProvider Services => _factory!.Services;

    public bool IsPostgres => _provider == "Postgres";

    public HttpClient Anonymous { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Supervisor { get; private set; } = null!;

    public HttpClient Agent { get; private set; } = null!;

    public UserDto AgentUser { get; private set; } = null!;

    public UserDto SupervisorUser { get; private set; } = null!;

    public UserDto AdminUser { get; private set; } = null!;

    public TeamDto Team { get; private set; } = null!;

    public HttpClient ClientFor(Role? role) => role switch
    {
        null => Anonymous,
        Role.Agent => Agent,
        Role.Supervisor => Supervisor,
        _ => Admin,
    };

    public virtual async ValueTask InitializeAsync()
    {
        if (OwnsDatabase)
        {
            Database = await TestDatabase.CreateAsync(_provider);
        }

        Directory.CreateDirectory(ContentRoot);
        var port = FreePort();
        var settings = Settings();
        settings["Amends:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in _extraSettings)
        {
            settings[key] = value;
        }

        _factory = new AppFactory(settings, _time);
        _factory.UseKestrel(port);
        _factory.StartServer();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");

        Anonymous = NewClient(null);
        var root = NewClient(BootstrapKey);
        // No quiet period: automatic messages go at once, whatever the hour the tests run at (a test of its own covers it).
        Team = await root.PostJsonAsync<TeamDto>("/api/teams", new { name = "Care " + port, quiet = new { from = (string?)null, until = (string?)null } });
        AgentUser = await CreateUserAsync(root, Role.Agent, "agent");
        SupervisorUser = await CreateUserAsync(root, Role.Supervisor, "supervisor");
        AdminUser = await CreateUserAsync(root, Role.Admin, "admin");
        Agent = await ClientForUserAsync(root, AgentUser);
        Supervisor = await ClientForUserAsync(root, SupervisorUser);
        Admin = await ClientForUserAsync(root, AdminUser);
    }

    /// <summary>A client that authenticates with a fresh API key of <paramref name="user"/>.</summary>
    public async Task<HttpClient> ClientForUserAsync(HttpClient admin, UserDto user)
    {
        var key = await admin.PostJsonAsync<CreatedApiKey>("/api/api-keys", new { name = "tests " + user.DisplayName, userId = user.Id });
        return NewClient(key.Key);
    }

    public async Task<UserDto> CreateUserAsync(HttpClient admin, Role role, string name) =>
        await admin.PostJsonAsync<UserDto>("/api/users", new
        {
            email = $"{name}-{Guid.NewGuid():N}@amends.test",
            displayName = $"{char.ToUpperInvariant(name[0])}{name[1..]} Tester",
            password = "Test-Password-123",
            role = role.ToString(),
            teamId = Team.Id,
        });

    public HttpClient NewClient(string? apiKey)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>A DI scope of the running app, for reading the database directly in assertions.</summary>
    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    protected virtual Dictionary<string, string?> Settings() => new()
    {
        ["Database:Provider"] = Database.Provider,
        ["ConnectionStrings:Amends"] = Database.ConnectionString,
        ["Amends:Bootstrap:AdminEmail"] = AdminEmail,
        ["Amends:Bootstrap:AdminPassword"] = AdminPassword,
        ["Amends:Bootstrap:ApiKey"] = BootstrapKey,
        ["Amends:Demo"] = _demo ? "true" : "false",
        ["Amends:DemoLoginFile"] = Path.Combine(ContentRoot, "demo-login.txt"),

        // The app's content root is the source folder: its own files go to the test's folder instead.
        ["Amends:Ledger:KeyFile"] = Path.Combine(ContentRoot, "ledger.key"),
        ["Logging:LogLevel:Default"] = "Warning",

        // Tests sign in over plain HTTP on loopback, many times a minute from one address.
        ["Amends:Security:AllowInsecureCookies"] = "true",
        ["Amends:Login:PerAddressPerMinute"] = "100000",
        ["Amends:Login:PerAccountPerMinute"] = "100000",
        ["Amends:Status:PerAddressPerMinute"] = "100000",

        // Changes within a second make one automatic update (a few minutes in production).
        ["Amends:Updates:CoalesceSeconds"] = "1",
    };

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (OwnsDatabase && Database is not null)
        {
            await Database.DisposeAsync();
        }

        try
        {
            Directory.Delete(ContentRoot, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or a file still open on a slow shutdown: test.sh removes its whole temp folder at the end.
        }

        GC.SuppressFinalize(this);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class AppFactory(Dictionary<string, string?> settings, TimeProvider? time) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            if (time is not null)
            {
                builder.ConfigureTestServices(services => services.AddSingleton(time));
            }

            builder.UseEnvironment("Production");

            // The browser tests need blazor.web.js and the component library's assets from the build output.
            builder.UseStaticWebAssets();
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}

public sealed class SqliteApp() : TestApp("Sqlite");

public sealed class PostgresApp() : TestApp("Postgres");

[CollectionDefinition(Name)]
public sealed class SqliteCollection : ICollectionFixture<SqliteApp>
{
    public const string Name = "SQLite app";
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresApp>
{
    public const string Name = "PostgreSQL app";
}
