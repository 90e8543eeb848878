using Amends.Domain.Cases;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Platform;

public abstract class DatabaseTests(TestApp app)
{
    [Fact]
    public async Task The_model_has_no_changes_missing_from_the_provider_s_migrations()
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();

        Assert.Equal(app.IsPostgres, db.IsPostgres);
        Assert.False(db.Database.HasPendingModelChanges(), "Run dotnet ef migrations add for this provider (see docs/operations.md).");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Times_come_back_from_the_database_as_UTC()
    {
        var created = await app.Agent.CaseAsync();

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var stored = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == new Amends.Domain.Common.CaseId(created.Id), TestContext.Current.CancellationToken);

        Assert.Equal(DateTimeKind.Utc, stored.CreatedAt.Kind);
        Assert.Equal(created.CreatedAt, stored.CreatedAt);
        Assert.Equal(CaseStatus.New, stored.Status);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class DatabaseTestsOnSqlite(SqliteApp app) : DatabaseTests(app);

[Collection(PostgresCollection.Name)]
public sealed class DatabaseTestsOnPostgres(PostgresApp app) : DatabaseTests(app);
