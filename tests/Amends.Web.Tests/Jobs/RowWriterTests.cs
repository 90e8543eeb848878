using System.Globalization;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Web.Features.Cases;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Jobs;

/// <summary>
/// The sweep's bulk writer must store exactly what EF Core stores (same text for dates and ids on SQLite, same types on
/// PostgreSQL), never overwrite a case changed meanwhile, and keep one due row per key.
/// </summary>
public abstract class RowWriterTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rewriting_every_column_of_a_case_stores_each_value_exactly_as_EF_Core_did()
    {
        var other = await app.Agent.CaseAsync(severity: "Low", category: "BillingError");
        var created = await app.Agent.CaseAsync(severity: "High");
        await app.Agent.ActAsync(created.Id, "acknowledge");
        await app.Agent.PostJsonAsync<CaseDetail>($"/api/cases/{created.Id}/notes", new { body = "So that most columns hold something" });
        var before = await RawRowAsync(created.Id);

        await WriteAsync(async (db, writer) =>
        {
            // Measured against another case, nearly every column counts as changed and is written from this case's values.
            var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == new CaseId(created.Id), Ct);
            var unlike = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == new CaseId(other.Id), Ct);
            writer.UpdateCase(c, writer.Loaded(unlike) with { Version = c.Version });
        });

        var after = await RawRowAsync(created.Id);
        Assert.Equal(before, after);
        Assert.True(before.Count > 20, "the raw row should have all of the case's columns");
    }

    [Fact]
    public async Task A_change_written_in_bulk_reads_back_through_the_API_with_its_timeline()
    {
        var created = await app.Agent.CaseAsync();
        var before = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{created.Id}");

        await WriteAsync(async (db, writer) =>
        {
            var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == new CaseId(created.Id), Ct);
            var loaded = writer.Loaded(c);
            Assert.Null(c.AddNote(new Actor(new UserId(app.AgentUser.Id), app.AgentUser.DisplayName), "Written in bulk", TimeProvider.System.GetUtcNow()));
            writer.UpdateCase(c, loaded);
            writer.InsertTimeline(c);
        });

        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{created.Id}");
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal("Written in bulk", after.Timeline[^1].Body);
        Assert.Equal(before.Timeline.Count + 1, after.Timeline.Count);
    }

    [Fact]
    public async Task A_case_changed_after_it_was_loaded_is_not_overwritten()
    {
        var created = await app.Agent.CaseAsync();
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var stale = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == new CaseId(created.Id), Ct);
        await app.Agent.PostJsonAsync<CaseDetail>($"/api/cases/{created.Id}/notes", new { body = "A user got there first" });

        await using (var transaction = await db.Database.BeginTransactionAsync(Ct))
        {
            await using var writer = new RowWriter(db);
            var loaded = writer.Loaded(stale);
            stale.AddNote(new Actor(new UserId(app.AgentUser.Id), "Sweep"), "Stale write", TimeProvider.System.GetUtcNow());
            writer.UpdateCase(stale, loaded);
            writer.InsertTimeline(stale);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => writer.FlushAsync(Ct));
            await transaction.RollbackAsync(Ct);
        }

        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{created.Id}");
        Assert.Contains(after.Timeline, e => e.Body == "A user got there first");
        Assert.DoesNotContain(after.Timeline, e => e.Body == "Stale write");
    }

    [Fact]
    public async Task Due_work_is_one_row_per_key_set_again_with_its_lease_cleared_and_removed_by_null()
    {
        var caseId = (await app.Agent.CaseAsync()).Id;
        var refId = Guid.NewGuid();
        var first = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var second = first.AddHours(5);
        await WriteAsync((_, writer) =>
        {
            writer.SetDue(DueWorkKinds.Promise, caseId, refId, first);
            return Task.CompletedTask;
        });
        await WithDbAsync(db => db.DueWork.Where(w => w.RefId == refId)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.LeaseOwner, Guid.NewGuid()).SetProperty(w => w.Attempts, 3), Ct));

        await WriteAsync((_, writer) =>
        {
            writer.SetDue(DueWorkKinds.Promise, caseId, refId, second);
            return Task.CompletedTask;
        });

        var rows = await WithDbAsync(db => db.DueWork.AsNoTracking().Where(w => w.RefId == refId).ToListAsync(Ct));
        var row = Assert.Single(rows);
        Assert.Equal(second, row.DueAt);
        Assert.Null(row.LeaseOwner);
        Assert.Equal(0, row.Attempts);

        await WriteAsync((_, writer) =>
        {
            writer.SetDue(DueWorkKinds.Promise, caseId, refId, null);
            return Task.CompletedTask;
        });
        Assert.Equal(0, await WithDbAsync(db => db.DueWork.CountAsync(w => w.RefId == refId, Ct)));
    }

    private async Task WriteAsync(Func<AmendsDbContext, RowWriter, Task> write)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        await using (var writer = new RowWriter(db))
        {
            await write(db, writer);
            await writer.FlushAsync(Ct);
        }

        await transaction.CommitAsync(Ct);
    }

    private async Task<T> WithDbAsync<T>(Func<AmendsDbContext, Task<T>> read)
    {
        await using var scope = app.Scope();
        return await read(scope.ServiceProvider.GetRequiredService<AmendsDbContext>());
    }

    /// <summary>The case's row as the database holds it: every column's stored value, as text.</summary>
    private Task<Dictionary<string, string>> RawRowAsync(Guid id) => WithDbAsync(async db =>
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT * FROM "Cases" WHERE "Id" = @id""";
        var idProperty = db.Model.FindEntityType(typeof(RecoveryCase))!.FindProperty(nameof(RecoveryCase.Id))!;
        command.Parameters.Add(idProperty.GetRelationalTypeMapping().CreateParameter(command, "@id", new CaseId(id)));
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        var row = new Dictionary<string, string>();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var value = reader.GetValue(i);
            row[reader.GetName(i)] = value switch
            {
                DBNull => "NULL",
                DateTime d => d.ToString("O", CultureInfo.InvariantCulture) + d.Kind,
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture) + ":" + value.GetType().Name,
                _ => value + ":" + value.GetType().Name,
            };
        }

        return row;
    });
}

[Collection(SqliteCollection.Name)]
public sealed class RowWriterTestsOnSqlite(SqliteApp app) : RowWriterTests(app);

[Collection(PostgresCollection.Name)]
public sealed class RowWriterTestsOnPostgres(PostgresApp app) : RowWriterTests(app);
