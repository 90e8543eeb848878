using System.Globalization;
using System.Text;
using System.Text.Json;
using Amends.Domain.Common;
using Amends.Domain.Remedies;
using Amends.Web.Features.Cases;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Features.Remedies;

public sealed record LedgerEntryDto(
    long Sequence, DateTime At, string Action, Guid? ActorId, string ActorName, string Subject, Guid? CaseId,
    long? AmountMinor, string? Currency, string? Before, string? After, string? Reason, string PreviousHash, string Hash)
{
    public static LedgerEntryDto From(LedgerEntry e) =>
        new(e.Sequence, e.At, e.Action, e.ActorId, e.ActorName, e.Subject, e.CaseId, e.AmountMinor, e.Currency, e.Before, e.After, e.Reason, e.PreviousHash, e.Hash);
}

/// <summary>
/// Every change that grants, moves or limits value goes through one unit of work that holds the ledger lock, so entries
/// are chained in order and authority sums are read and written without a concurrent grant slipping in between:
/// on SQLite the transaction begins IMMEDIATE (the database's one writer); on PostgreSQL it takes a transaction-scoped
/// advisory lock, which holds across all app instances. Grants are made at human speed, so one lock for all is cheap.
/// </summary>
public sealed class Ledger(AmendsDbContext db, TimeProvider time, LedgerKeys keys)
{
    /// <summary>The advisory lock key on PostgreSQL ("AMENDSLG").</summary>
    private const long LockKey = 0x414D454E44534C47;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private LedgerEntry? _last;
    private LedgerHead? _head;
    private bool _lastLoaded;

    /// <summary>Runs <paramref name="work"/> holding the ledger lock; saves and commits when it succeeds, else rolls back.</summary>
    public async Task<Result<T>> WriteAsync<T>(Func<DateTimeOffset, Task<Result<T>>> work, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [LockKey], ct);
        }

        _lastLoaded = false;
        var result = await work(time.GetUtcNow());
        if (!result.IsSuccess)
        {
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return result;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The case or offer changed under us (a user's edit between our read and write): nothing is kept.
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return Infrastructure.ApiProblems.Stale("case");
        }

        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>Adds an entry after the last one; only inside <see cref="WriteAsync{T}"/>.</summary>
    public async Task AppendAsync(
        string action, Actor? by, string subject, Guid? caseId, Money? amount, object? before, object? after, string? reason, DateTimeOffset now, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Ledger entries are appended inside Ledger.WriteAsync, which holds the lock.");
        }

        var key = keys.Current;
        if (!_lastLoaded)
        {
            _last = await db.Ledger.AsNoTracking().OrderByDescending(e => e.Sequence).FirstOrDefaultAsync(ct);
            _head = await db.LedgerHeads.SingleOrDefaultAsync(h => h.Id == LedgerHead.SingletonId, ct);
            _lastLoaded = true;

            // The first entry under a new key says so: where keying starts (after unkeyed entries) or a rotation.
            if (_last is not null && _last.KeyId != key.Id)
            {
                Add(LedgerEntry.Append(_last, now, _last.KeyId is null ? "ledger.keyed" : "ledger.key_rotated", null, "system", "ledger", null, null, null,
                    _last.KeyId is null ? null : Serialize(new { keyId = _last.KeyId }), Serialize(new { keyId = key.Id }), null, key));
            }
        }

        Add(LedgerEntry.Append(_last, now, action, by?.Id.Value, by?.Name ?? "system", subject, caseId,
            amount?.Minor, amount?.Currency, Serialize(before), Serialize(after), string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), key));
    }

    /// <summary>Adds the entry and moves the head to it, in the same unit of work.</summary>
    private void Add(LedgerEntry entry)
    {
        db.Ledger.Add(entry);
        _last = entry;
        if (_head is null)
        {
            _head = new LedgerHead();
            db.LedgerHeads.Add(_head);
        }

        _head.Sequence = entry.Sequence;
        _head.Hash = entry.Hash;
        _head.KeyId = keys.Current.Id;
        _head.Mac = LedgerEntry.HeadMac(keys.Current, entry.Sequence, entry.Hash);
    }

    public async Task<Paged<LedgerEntryDto>> ListAsync(Guid? caseId, string? action, int page, int pageSize, CancellationToken ct)
    {
        var query = db.Ledger.AsNoTracking();
        if (caseId is { } id)
        {
            query = query.Where(e => e.CaseId == id);
        }

        if (!string.IsNullOrWhiteSpace(action))
        {
            query = query.Where(e => e.Action.StartsWith(action));
        }

        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(e => e.Sequence).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new Paged<LedgerEntryDto>([.. items.Select(LedgerEntryDto.From)], total, page, pageSize);
    }

    /// <summary>Walks the whole chain in order, a page at a time, recomputing every hash; then checks its end against the head.</summary>
    public async Task<LedgerVerification> VerifyAsync(CancellationToken ct)
    {
        // One snapshot for head and chain, so appends made while it runs are neither "missing" nor "added outside".
        await using var snapshot = await SnapshotAsync(ct);
        var head = await db.LedgerHeads.AsNoTracking().SingleOrDefaultAsync(h => h.Id == LedgerHead.SingletonId, ct);
        var checker = new LedgerVerification.Checker(keys.Find);
        long after = 0;
        while (true)
        {
            var page = await db.Ledger.AsNoTracking().Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(2000).ToListAsync(ct);
            foreach (var entry in page)
            {
                checker.Check(entry);
            }

            if (page.Count < 2000 || checker.Broken is not null)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        checker.CheckHead(head?.Sequence, head?.Hash, head?.KeyId, head?.Mac);
        return checker.Result();
    }

    /// <summary>The whole ledger as CSV (RFC 4180), oldest first, streamed.</summary>
    public async Task WriteCsvAsync(Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        await writer.WriteLineAsync("sequence,at,action,actor_id,actor,subject,case_id,amount_minor,currency,before,after,reason,previous_hash,hash");
        await foreach (var e in db.Ledger.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            string[] fields =
            [
                e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture), e.Action,
                e.ActorId?.ToString() ?? "", e.ActorName, e.Subject, e.CaseId?.ToString() ?? "", e.AmountMinor?.ToString(CultureInfo.InvariantCulture) ?? "",
                e.Currency ?? "", e.Before ?? "", e.After ?? "", e.Reason ?? "", e.PreviousHash, e.Hash,
            ];
            await writer.WriteLineAsync(string.Join(',', fields.Select(Csv.Field)));
        }
    }

    private async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> SnapshotAsync(CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            return await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        }

        // A deferred SQLite transaction reads one WAL snapshot without taking the write lock.
        await db.Database.OpenConnectionAsync(ct);
        var connection = (Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection();
        return await db.Database.UseTransactionAsync(connection.BeginTransaction(deferred: true), ct)
            ?? throw new InvalidOperationException("No transaction.");
    }

    private static string? Serialize(object? value) => value is null ? null : JsonSerializer.Serialize(value, Json);
}
