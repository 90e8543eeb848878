using System.Security.Cryptography;
using Amends.Domain.Teams;
using Amends.Web.Features.Admin;
using Amends.Web.Persistence.Seeding;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;

namespace Amends.Web.Persistence;

/// <summary>
/// Runs before the server takes requests: applies the provider's migrations (logging what it did), creates the roles,
/// and on a first start with no users creates the admin from configuration, or the demo data set with generated logins.
/// </summary>
internal sealed class DatabaseInitializer(
    IServiceScopeFactory scopes,
    IOptions<AmendsOptions> options,
    IHostEnvironment environment,
    TimeProvider time,
    DemoInstallation demo,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();

        // On an empty database EF would first query a history table that is not there and log that as a failure.
        var history = db.GetService<IHistoryRepository>();
        await history.CreateIfNotExistsAsync(cancellationToken);
        var applied = (await history.GetAppliedMigrationsAsync(cancellationToken)).Select(m => m.MigrationId).ToHashSet();
        var pending = db.Database.GetMigrations().Where(m => !applied.Contains(m)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s) on {Provider}: {Migrations}", pending.Count,
                db.IsPostgres ? "PostgreSQL" : "SQLite", string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
        else
        {
            logger.LogInformation("Database schema is up to date ({Provider})", db.IsPostgres ? "PostgreSQL" : "SQLite");
        }

        if (!db.IsPostgres)
        {
            // WAL lets readers go on while one writer commits; it is a property of the file, set once.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await LedgerTriggers.EnsureAsync(db, logger, cancellationToken);

        // Make sure the data-protection key ring has its key now, before any background work: links in messages are
        // signed inside transactions, and on SQLite creating the first key there would wait for the transaction's own lock.
        Jobs.Housekeeping.TouchKeyRing(scope.ServiceProvider);

        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        foreach (var role in Enum.GetNames<Role>())
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await IgnoreRace(() => roles.CreateAsync(new IdentityRole<Guid>(role) { Id = Guid.CreateVersion7() }));
            }
        }

        try
        {
            await scope.ServiceProvider.GetRequiredService<Features.Playbooks.PlaybookLibrary>().SeedDefaultsAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            logger.LogInformation("Another instance wrote the default playbooks first");
        }

        await scope.ServiceProvider.GetRequiredService<Features.Remedies.Limits>().SeedDefaultsAsync(cancellationToken);
        db.ChangeTracker.Clear();

        if (!await db.Users.AnyAsync(cancellationToken))
        {
            await BootstrapAsync(scope.ServiceProvider, db, cancellationToken);
        }

        // Only a database that holds the demo users advertises the demo login (a real installation never does, even
        // with a login file left by an earlier demo in the same folder).
        var demoUser = DemoData.SupervisorEmail.ToUpperInvariant();
        var demoLogin = Path.Combine(environment.ContentRootPath, options.Value.DemoLoginFileFor(db.IsPostgres));
        demo.LoginFile = await db.Users.AnyAsync(u => u.NormalizedEmail == demoUser, cancellationToken) && File.Exists(demoLogin) ? demoLogin : null;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task BootstrapAsync(IServiceProvider services, AmendsDbContext db, CancellationToken ct)
    {
        var settings = options.Value;
        var bootstrap = settings.Bootstrap;
        var users = services.GetRequiredService<UserManager<AppUser>>();
        var configured = !string.IsNullOrWhiteSpace(bootstrap.AdminEmail);
        var demo = settings.Demo ?? !configured;

        if (!configured && !demo)
        {
            logger.LogError("No users exist and no admin is configured: set Amends__Bootstrap__AdminEmail and Amends__Bootstrap__AdminPassword, or Amends__Demo=true.");
            return;
        }

        var adminEmail = configured ? bootstrap.AdminEmail!.Trim() : DemoData.AdminEmail;
        var generated = GeneratePassword();
        var adminPassword = configured ? bootstrap.AdminPassword : generated;
        if (string.IsNullOrWhiteSpace(adminPassword))
        {
            throw new InvalidOperationException("Amends__Bootstrap__AdminPassword is required with Amends__Bootstrap__AdminEmail.");
        }

        var admin = new AppUser
        {
            Id = Guid.CreateVersion7(),
            UserName = adminEmail,
            Email = adminEmail,
            EmailConfirmed = true,
            DisplayName = configured ? "Administrator" : DemoData.AdminName,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(admin, adminPassword);
        if (!created.Succeeded)
        {
            if (await db.Users.AnyAsync(ct))
            {
                logger.LogInformation("Another instance bootstrapped the database first");
                return;
            }

            throw new InvalidOperationException("Could not create the bootstrap admin: " + string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        await users.AddToRoleAsync(admin, nameof(Role.Admin));
        logger.LogInformation("Created the admin {Email}", adminEmail);

        if (!string.IsNullOrWhiteSpace(bootstrap.ApiKey))
        {
            if (bootstrap.ApiKey.Length < Infrastructure.ApiKeys.MinimumLength)
            {
                throw new InvalidOperationException($"Amends__Bootstrap__ApiKey must be at least {Infrastructure.ApiKeys.MinimumLength} characters.");
            }

            db.ApiKeys.Add(ApiKeyAdmin.NewKey("Bootstrap", bootstrap.ApiKey, admin.Id, null, time.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Registered the bootstrap admin API key");
        }

        if (!demo)
        {
            return;
        }

        var seeder = new DemoData(db, users, time, services.GetRequiredService<Features.Remedies.LedgerKeys>(), logger);
        var apiKey = string.IsNullOrWhiteSpace(bootstrap.ApiKey) ? Infrastructure.ApiKeys.Generate() : null;
        var staff = await seeder.SeedAsync(admin, GeneratePassword, apiKey, ct);
        await Seeding.DemoSignals.IngestAsync(services, db, time.GetUtcNow(), ct);

        var path = Path.Combine(environment.ContentRootPath, settings.DemoLoginFileFor(db.IsPostgres));
        var login = DemoData.LoginText(adminEmail, configured ? "(the configured password)" : generated, staff, apiKey, settings.DemoLoginFileFor(db.IsPostgres));
        DataFolder.Ensure(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, login, ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // Printed once, on the start that created them; later starts point at the file.
        Console.WriteLine();
        Console.WriteLine(login);
    }

    private static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 14);
        return new string(chars) + "-7a";
    }

    private static async Task IgnoreRace(Func<Task<IdentityResult>> create)
    {
        try
        {
            await create();
        }
        catch (DbUpdateException)
        {
            // Another instance created it at the same moment; it exists now, which is all we need.
        }
    }
}
