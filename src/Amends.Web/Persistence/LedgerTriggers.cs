using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Persistence;

/// <summary>
/// The database's half of the ledger's append-only rule (the Remedies migration creates it). Checked at every start:
/// when a trigger is missing or disabled, someone with the database's keys removed the guard; that is logged loudly
/// and the guard put back. The keyed chain and its head still tell what was done meanwhile.
/// </summary>
internal static class LedgerTriggers
{
    private const string SqliteCreate = """
        CREATE TRIGGER IF NOT EXISTS "Ledger_no_update" BEFORE UPDATE ON "Ledger" BEGIN SELECT RAISE(ABORT, 'The audit ledger is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS "Ledger_no_delete" BEFORE DELETE ON "Ledger" BEGIN SELECT RAISE(ABORT, 'The audit ledger is append-only'); END;
        """;

    private const string PostgresCreate = """
        CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'The audit ledger is append-only'; END $$;
        DROP TRIGGER IF EXISTS "Ledger_append_only" ON "Ledger";
        DROP TRIGGER IF EXISTS "Ledger_no_truncate" ON "Ledger";
        CREATE TRIGGER "Ledger_append_only" BEFORE UPDATE OR DELETE ON "Ledger" FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
        CREATE TRIGGER "Ledger_no_truncate" BEFORE TRUNCATE ON "Ledger" FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
        """;

    /// <summary>True when the guard was intact; false when it had to be put back.</summary>
    public static async Task<bool> EnsureAsync(AmendsDbContext db, ILogger logger, CancellationToken ct)
    {
        var intact = db.IsPostgres
            ? await db.Database.SqlQueryRaw<int>("""
                SELECT COUNT(*)::int AS "Value" FROM pg_trigger
                WHERE tgrelid = '"Ledger"'::regclass AND tgname IN ('Ledger_append_only', 'Ledger_no_truncate') AND tgenabled <> 'D'
                """).SingleAsync(ct) == 2
            : await db.Database.SqlQueryRaw<int>("""
                SELECT COUNT(*) AS "Value" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'Ledger' AND name IN ('Ledger_no_update', 'Ledger_no_delete')
                """).SingleAsync(ct) == 2;
        if (intact)
        {
            return true;
        }

        logger.LogCritical("The audit ledger's append-only triggers were missing or disabled: someone with the database's keys removed them. "
            + "They are being put back now; run Verify on the audit ledger (Admin → Audit ledger) to see whether entries were changed.");
        await db.Database.ExecuteSqlRawAsync(db.IsPostgres ? PostgresCreate : SqliteCreate, ct);
        return false;
    }
}
