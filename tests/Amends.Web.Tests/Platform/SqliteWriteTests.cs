using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Platform;

/// <summary>
/// SQLite's single writer: saves queue in one gate instead of sleeping in the driver's retry loop, and the write-ahead log
/// is folded back into the database in the background rather than inside a request's commit.
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed class SqliteWriteTests(SqliteApp app)
{
    [Fact]
    public async Task Many_concurrent_saves_all_commit_with_distinct_numbers_and_none_waits_out_the_drivers_retry_sleep()
    {
        var customer = await app.Agent.CustomerAsync();

        var cases = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => app.Agent.CaseAsync(customerId: customer.Id)));

        Assert.Equal(40, cases.Select(c => c.Number).Distinct().Count());
        var listed = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?customerId={customer.Id}&pageSize=50");
        Assert.Equal(40, listed.Total);
    }

    [Fact]
    public async Task The_apps_connections_leave_checkpoints_to_the_background_which_folds_the_log_into_the_database()
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using (var command = db.Database.GetDbConnection().CreateCommand())
        {
            command.CommandText = "PRAGMA wal_autocheckpoint";
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        }

        // With automatic checkpoints off, only the background checkpointer copies pages into the main file: it grows
        // when this burst of writes reaches it.
        var file = new SqliteConnectionStringBuilder(app.Database.ConnectionString).DataSource;
        var before = new FileInfo(file).Length;
        var customer = await app.Agent.CustomerAsync();
        foreach (var _ in Enumerable.Range(0, 60))
        {
            await app.Agent.CaseAsync(customerId: customer.Id, summary: new string('x', 400));
        }

        var after = await Eventually.UntilAsync(() => Task.FromResult(new FileInfo(file).Length), size => size > before, TimeSpan.FromSeconds(15));
        Assert.True(after > before, $"the database file stayed at {before} bytes: nothing folded the log back");
    }
}
