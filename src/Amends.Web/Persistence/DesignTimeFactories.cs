using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Amends.Web.Persistence;

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteAmendsDbContext</c> build the model without the host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAmendsDbContext>
{
    public SqliteAmendsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAmendsDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add … --context PostgresAmendsDbContext</c> build the model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAmendsDbContext>
{
    public PostgresAmendsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAmendsDbContext>().UseNpgsql("Host=localhost;Database=amends_design").Options);
}
