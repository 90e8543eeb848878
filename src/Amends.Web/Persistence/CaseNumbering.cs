using Amends.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Amends.Web.Persistence;

/// <summary>
/// Gives every new case its number as it is saved, whatever path adds it (the API, demo data, an import): the next
/// values of the <c>CaseNumbers</c> sequence on PostgreSQL (no lock, unique across instances), or of the
/// <c>Counters</c> row on SQLite, whose single writer makes the update atomic. A save that fails leaves a gap, as a
/// sequence does; numbers are never reused.
/// </summary>
internal sealed class CaseNumbering : SaveChangesInterceptor
{
    public const string SqliteCounter = "case-number";

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is AmendsDbContext db && Unnumbered(db) is { Count: > 0 } cases)
        {
            Assign(cases, Allocate(db, cases.Count).GetAwaiter().GetResult());
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is AmendsDbContext db && Unnumbered(db) is { Count: > 0 } cases)
        {
            Assign(cases, await Allocate(db, cases.Count, cancellationToken));
        }

        return result;
    }

    private static List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<RecoveryCase>> Unnumbered(AmendsDbContext db) =>
        [.. db.ChangeTracker.Entries<RecoveryCase>().Where(e => e.State == EntityState.Added && e.Entity.Number == 0)];

    private static void Assign(List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<RecoveryCase>> cases, IReadOnlyList<long> numbers)
    {
        for (var i = 0; i < cases.Count; i++)
        {
            cases[i].Property(c => c.Number).CurrentValue = numbers[i];
        }
    }

    /// <summary>Takes <paramref name="count"/> numbers, in increasing order.</summary>
    private static async Task<IReadOnlyList<long>> Allocate(AmendsDbContext db, int count, CancellationToken ct = default)
    {
        if (db.IsPostgres)
        {
            // Other instances may take numbers in between: unique, increasing, not necessarily contiguous.
            var values = await db.Database.SqlQueryRaw<long>("SELECT nextval('\"CaseNumbers\"') AS \"Value\" FROM generate_series(1, {0})", count).ToListAsync(ct);
            values.Sort();
            return values;
        }

        var last = (await db.Database.SqlQueryRaw<long>("UPDATE \"Counters\" SET \"Value\" = \"Value\" + {0} WHERE \"Name\" = {1} RETURNING \"Value\"", count, SqliteCounter).ToListAsync(ct)).Single();
        return [.. Enumerable.Range(0, count).Select(i => last - count + 1 + i)];
    }
}
