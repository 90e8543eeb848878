using Amends.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Amends.Web.Persistence;

internal static class PersistenceSetup
{
    /// <summary>Rows a SQLite save sends in one command (see where it is used).</summary>
    public const int SqliteBatchSize = 64;

    private static readonly CaseNumbering Numbering = new();

    /// <summary>
    /// Registers <see cref="AmendsDbContext"/> for the provider named by <c>Database:Provider</c>: <c>Sqlite</c> (default,
    /// a file under ./data) or <c>Postgres</c> (<c>ConnectionStrings:Amends</c>), each with its own migration set.
    /// </summary>
    public static IServiceCollection AddAmendsPersistence(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = configuration["Database:Provider"] ?? "Sqlite";
        var connectionString = configuration.GetConnectionString("Amends");

        if (provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Amends (env ConnectionStrings__Amends) is empty.");
            }

            PostgresDatabase.EnsureExists(connectionString);
            var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
            services.AddSingleton(dataSource);
            services.AddDbContext<PostgresAmendsDbContext>((sp, options) => options.UseNpgsql(dataSource).ConfigureWarnings(Quiet).AddInterceptors(Numbering, sp.GetRequiredService<Features.Messaging.CustomerUpdates>(), sp.GetRequiredService<Features.Messaging.OutboxSignal>()));
            services.AddScoped<AmendsDbContext>(sp => sp.GetRequiredService<PostgresAmendsDbContext>());
            services.AddHostedService<PostgresChangeRelay>();
        }
        else if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                var path = Path.Combine(environment.ContentRootPath, "data", "amends.db");
                DataFolder.Ensure(Path.GetDirectoryName(path)!);
                connectionString = $"Data Source={path}";
            }

            // Small batches: SQLite finds each named parameter of a statement by a linear search, so one INSERT batch of a
            // thousand rows (28,000 parameters) spends most of its time binding; 64 rows a command is several times faster.
            services.AddDbContext<SqliteAmendsDbContext>((sp, options) => options.UseSqlite(connectionString, sqlite => sqlite.MaxBatchSize(SqliteBatchSize)).ConfigureWarnings(Quiet).AddInterceptors(new SqlitePragmas(), Numbering, sp.GetRequiredService<Features.Messaging.CustomerUpdates>(), sp.GetRequiredService<Features.Messaging.OutboxSignal>()));
            services.AddScoped<AmendsDbContext>(sp => sp.GetRequiredService<SqliteAmendsDbContext>());
            services.AddHostedService(sp => new SqliteCheckpointer(connectionString, sp.GetRequiredService<ILogger<SqliteCheckpointer>>(), sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            throw new InvalidOperationException($"Database:Provider '{provider}' is not supported; use Sqlite or Postgres.");
        }

        return services;
    }

    // Capped counts (a list's total, a case's counts) take the first N matches in no order on purpose: which N does not
    // change the count, and ordering them would cost a sort.
    private static void Quiet(Microsoft.EntityFrameworkCore.Diagnostics.WarningsConfigurationBuilder warnings) =>
        warnings.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.RowLimitingOperationWithoutOrderByWarning);
}
