using Amends.Domain.Remedies;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Remedies;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Remedies;

/// <summary>
/// The ledger keyed with a secret outside the database, and its head record: removing the tail, recomputing the chain
/// without the key, a rotated key, entries from before keying, and a guard removed while the server was down.
/// Each test has a database of its own, as each tampers with it.
/// </summary>
public abstract class LedgerKeyTests(string provider) : IAsyncLifetime
{
    private const string KeyOne = "first-ledger-key-0123456789abcdefghijklmnop";
    private const string KeyTwo = "second-ledger-key-0123456789abcdefghijklmno";

    private readonly List<TestApp> _apps = [];
    private TestDatabase _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Entries_name_their_key_and_removing_the_tail_is_found()
    {
        var app = await StartAsync(KeyOne);
        await OfferOnNewCaseAsync(app);
        await OfferOnNewCaseAsync(app);
        var entries = await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>("/api/ledger?pageSize=500");
        var last = entries.Items.Max(e => e.Sequence);
        Assert.True((await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify")).Intact);

        await WithDbAsync(app, async db =>
        {
            Assert.All(await db.Ledger.ToListAsync(Ct), e => Assert.Equal(LedgerKey.From(System.Text.Encoding.UTF8.GetBytes(KeyOne)).Id, e.KeyId));
            await DropGuardAsync(db);
            await db.Ledger.Where(e => e.Sequence > last - 2).ExecuteDeleteAsync(Ct);
        });

        var verdict = await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.False(verdict.Intact);
        Assert.Contains("truncated", verdict.Message, StringComparison.Ordinal);
        Assert.Equal(last - 1, verdict.FirstBrokenSequence);
    }

    [Fact]
    public async Task A_chain_recomputed_without_the_key_is_found()
    {
        var app = await StartAsync(KeyOne);
        await OfferOnNewCaseAsync(app);
        await OfferOnNewCaseAsync(app);

        // What someone with only the database file can do: change an entry and recompute every hash after it, unkeyed.
        long changed = 0;
        await WithDbAsync(app, async db =>
        {
            await DropGuardAsync(db);
            var all = await db.Ledger.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(Ct);
            changed = all[^3].Sequence;
            var previous = all[^4];
            await db.Ledger.Where(e => e.Sequence >= changed).ExecuteDeleteAsync(Ct);
            foreach (var e in all.Where(e => e.Sequence >= changed))
            {
                var forged = LedgerEntry.Append(previous, e.At, e.Action, e.ActorId, e.ActorName, e.Subject, e.CaseId,
                    e.Sequence == changed ? 1 : e.AmountMinor, e.Currency, e.Before, e.After, e.Reason);
                db.Ledger.Add(forged);
                previous = forged;
            }

            await db.SaveChangesAsync(Ct);
        });

        var verdict = await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.False(verdict.Intact);
        Assert.Equal(changed, verdict.FirstBrokenSequence);
        Assert.Contains("without the key", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_rotation_old_entries_verify_with_the_retired_key_and_the_rotation_is_on_the_chain()
    {
        var first = await StartAsync(KeyOne);
        await OfferOnNewCaseAsync(first);
        await first.DisposeAsync();
        _apps.Remove(first);

        var second = await StartAsync(KeyTwo, retired: KeyOne);
        await OfferOnNewCaseAsync(second);

        var verdict = await second.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.True(verdict.Intact, verdict.Message);
        var entries = await second.Admin.GetJsonAsync<Paged<LedgerEntryDto>>("/api/ledger?action=ledger.");
        Assert.Contains(entries.Items, e => e.Action == "ledger.key_rotated");
        await second.DisposeAsync();
        _apps.Remove(second);

        var forgotten = await StartAsync(KeyTwo);
        var missing = await forgotten.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.False(missing.Intact);
        Assert.Contains("a key this server does not have", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_from_before_keying_stay_verifiable_and_the_chain_goes_on_keyed_from_a_marked_entry()
    {
        var app = await StartAsync(KeyOne);
        await WithDbAsync(app, async db =>
        {
            // A ledger written before this release: plain SHA-256, no head record.
            await DropGuardAsync(db);
            await db.Ledger.ExecuteDeleteAsync(Ct);
            await db.LedgerHeads.ExecuteDeleteAsync(Ct);
            LedgerEntry? previous = null;
            for (var i = 0; i < 3; i++)
            {
                previous = LedgerEntry.Append(previous, TimeProvider.System.GetUtcNow().AddMinutes(-10 + i), "limit.changed", null, "system", $"limit:role:{i}", null, 100, "EUR", null, "{}", null);
                db.Ledger.Add(previous);
            }

            await db.SaveChangesAsync(Ct);
        });
        Assert.True((await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify")).Intact);

        await OfferOnNewCaseAsync(app);

        var verdict = await app.Admin.GetJsonAsync<LedgerVerification>("/api/ledger/verify");
        Assert.True(verdict.Intact, verdict.Message);
        var marker = (await app.Admin.GetJsonAsync<Paged<LedgerEntryDto>>("/api/ledger?action=ledger.keyed")).Items.Single();
        Assert.Equal(4, marker.Sequence);
    }

    [Fact]
    public async Task A_guard_removed_while_the_server_was_down_is_put_back_at_start()
    {
        var app = await StartAsync(KeyOne);
        await OfferOnNewCaseAsync(app);
        await WithDbAsync(app, DropGuardAsync);
        await app.DisposeAsync();
        _apps.Remove(app);

        var restarted = await StartAsync(KeyOne);

        await WithDbAsync(restarted, async db =>
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Ledger.ExecuteDeleteAsync(Ct)));
    }

    private async Task<TestApp> StartAsync(string key, string? retired = null)
    {
        var settings = new Dictionary<string, string?> { ["Amends:Ledger:Key"] = key, ["Amends:Jobs:Enabled"] = "false" };
        if (retired is not null)
        {
            settings["Amends:Ledger:RetiredKeys:0"] = retired;
        }

        // A second start on the same database finds the users of the first: it must not bootstrap again.
        var app = new TestApp(provider, sharedDatabase: _database, settings: settings);
        _apps.Add(app);
        await app.InitializeAsync();
        return app;
    }

    private static async Task OfferOnNewCaseAsync(TestApp app)
    {
        var c = await app.Admin.CaseAsync();
        await app.Admin.PostJsonAsync<CaseDetail>($"/api/cases/{c.Id}/assign", new { ownerId = app.AgentUser.Id });
        await app.Agent.PostJsonAsync<OfferDto>($"/api/cases/{c.Id}/offers", new { options = new[] { new { type = "Refund", amountMinor = 1_000L } } });
    }

    private static async Task WithDbAsync(TestApp app, Func<AmendsDbContext, Task> work)
    {
        await using var scope = app.Scope();
        await work(scope.ServiceProvider.GetRequiredService<AmendsDbContext>());
    }

    private Task DropGuardAsync(AmendsDbContext db) => db.Database.ExecuteSqlRawAsync(provider == "Postgres"
        ? """ALTER TABLE "Ledger" DISABLE TRIGGER "Ledger_append_only"; ALTER TABLE "Ledger" DISABLE TRIGGER "Ledger_no_truncate" """
        : """DROP TRIGGER "Ledger_no_update"; DROP TRIGGER "Ledger_no_delete" """, Ct);
}

public sealed class LedgerKeyTestsOnSqlite() : LedgerKeyTests("Sqlite");

public sealed class LedgerKeyTestsOnPostgres() : LedgerKeyTests("Postgres");
