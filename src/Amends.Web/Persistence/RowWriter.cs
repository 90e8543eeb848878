using System.Data.Common;
using Amends.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;

namespace Amends.Web.Persistence;

/// <summary>
/// Writes many rows of a few fixed shapes inside the context's current transaction, for background sweeps that touch
/// thousands of cases: case updates of the changed columns guarded by the version, timeline inserts and due-work upserts.
/// Columns, value comparers, converters and parameter types come from the EF Core model, so the row written is the row EF Core
/// would write; what is skipped is EF Core's per-entity change tracking and its one-statement-at-a-time preparation
/// on SQLite. On a provider with ADO.NET batching (PostgreSQL) everything goes in one round trip per flush; on SQLite
/// each shape is prepared once and re-bound for every row.
/// </summary>
public sealed class RowWriter : IAsyncDisposable
{
    private readonly AmendsDbContext _db;
    private readonly ISqlGenerationHelper _sql;
    private readonly Dictionary<string, Shape> _shapes = [];
    private readonly List<(Shape Shape, object?[] Values, bool MustMatch)> _pending = [];
    private readonly Dictionary<Shape, DbCommand> _prepared = [];
    private List<Column>? _caseColumns;

    public RowWriter(AmendsDbContext db)
    {
        _db = db;
        _sql = db.GetService<ISqlGenerationHelper>();
    }

    /// <summary>What a case held when it was loaded (untracked), for <see cref="UpdateCase"/> to write only what changed.</summary>
    public LoadedRow Loaded(RecoveryCase c)
    {
        var columns = CaseColumns();
        var values = new object?[columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = columns[i].Comparer.Snapshot(columns[i].Get(c));
        }

        return new LoadedRow(values, c.Version);
    }

    /// <summary>
    /// Writes the columns of the case that differ from <paramref name="loaded"/>, if the stored row still has the loaded
    /// version; with nothing changed it still checks the version, so work derived from a stale case is never committed.
    /// </summary>
    public void UpdateCase(RecoveryCase c, LoadedRow loaded)
    {
        var columns = CaseColumns();
        var changed = new List<int>();
        var values = new List<object?>();
        for (var i = 0; i < columns.Count; i++)
        {
            var value = columns[i].Get(c);
            if (!columns[i].Property.IsPrimaryKey() && !columns[i].Comparer.Equals(value, loaded.Values[i]))
            {
                changed.Add(i);
                values.Add(value);
            }
        }

        var token = columns.FindIndex(col => col.Property.IsConcurrencyToken);
        if (changed.Count == 0)
        {
            changed.Add(token);
            values.Add(loaded.Version);
        }

        var key = columns.FindIndex(col => col.Property.IsPrimaryKey());
        var shape = ShapeFor("case-update:" + string.Join(',', changed), () => UpdateShape(typeof(RecoveryCase), changed));
        values.Add(columns[key].Get(c));
        values.Add(loaded.Version);
        _pending.Add((shape, [.. values], true));
    }

    /// <summary>Inserts the entries the domain appended to the case's timeline since it was loaded.</summary>
    public void InsertTimeline(RecoveryCase c)
    {
        var shape = ShapeFor("timeline-insert", () => InsertShape(typeof(TimelineEntry), null));
        foreach (var entry in c.Timeline)
        {
            _pending.Add((shape, shape.Read(entry), true));
        }
    }

    /// <summary>Inserts a new row of an entity with no owned parts of its own table (a signal): every mapped column, converters applied.</summary>
    public void Insert<T>(T entity)
        where T : class
    {
        var shape = ShapeFor("insert:" + typeof(T).FullName, () => InsertShape(typeof(T), null));
        _pending.Add((shape, shape.Read(entity), true));
    }

    /// <summary>Sets the one due-work row for (kind, case, reference) to <paramref name="dueAt"/>, or removes it when null.</summary>
    public void SetDue(string kind, Guid caseId, Guid refId, DateTime? dueAt)
    {
        if (dueAt is null)
        {
            var delete = ShapeFor("due-delete", DueDeleteShape);
            _pending.Add((delete, [kind, caseId, refId], false));
            return;
        }

        var upsert = ShapeFor("due-upsert", () => InsertShape(typeof(DueWork), DueUpsertTail()));
        var row = new DueWork { Id = Guid.CreateVersion7(), Kind = kind, CaseId = caseId, RefId = refId, DueAt = dueAt.Value };
        _pending.Add((upsert, upsert.Read(row), false));
    }

    /// <summary>Writes everything queued; a case whose version moved on meanwhile fails the whole flush.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var connection = _db.Database.GetDbConnection();
        var transaction = _db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("RowWriter writes inside the caller's transaction; begin one first.");
        try
        {
            if (connection.CanCreateBatch)
            {
                await FlushBatchAsync(connection, transaction, ct);
            }
            else
            {
                await FlushPreparedAsync(connection, transaction, ct);
            }
        }
        finally
        {
            _pending.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values)
        {
            await command.DisposeAsync();
        }

        _prepared.Clear();
    }

    private async Task FlushBatchAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        using var scratch = connection.CreateCommand();
        foreach (var (shape, values, _) in _pending)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = shape.Sql;
            for (var i = 0; i < shape.Columns.Count; i++)
            {
                command.Parameters.Add(shape.Columns[i].Parameter(scratch, "", values[i]));
            }

            batch.BatchCommands.Add(command);
        }

        // Few distinct statements, many rows: prepared once per connection (Npgsql keeps them), each row only binds.
        await batch.PrepareAsync(ct);
        await batch.ExecuteNonQueryAsync(ct);
        for (var i = 0; i < _pending.Count; i++)
        {
            if (_pending[i].MustMatch && batch.BatchCommands[i].RecordsAffected != 1)
            {
                throw new DbUpdateConcurrencyException($"A row changed while it was being written ({_pending[i].Shape.Sql[..30]}…).");
            }
        }
    }

    private async Task FlushPreparedAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        foreach (var (shape, values, mustMatch) in _pending)
        {
            if (!_prepared.TryGetValue(shape, out var command))
            {
                command = connection.CreateCommand();
                command.CommandText = shape.Sql;
                for (var i = 0; i < shape.Columns.Count; i++)
                {
                    command.Parameters.Add(shape.Columns[i].Parameter(command, "@p" + i, values[i]));
                }

                command.Transaction = transaction;
                await command.PrepareAsync(ct);
                _prepared[shape] = command;
            }
            else
            {
                command.Transaction = transaction;
                for (var i = 0; i < shape.Columns.Count; i++)
                {
                    command.Parameters[i].Value = shape.Columns[i].ToProvider(values[i]);
                }
            }

            var affected = await command.ExecuteNonQueryAsync(ct);
            if (mustMatch && affected != 1)
            {
                throw new DbUpdateConcurrencyException($"A row changed while it was being written ({shape.Sql[..30]}…).");
            }
        }
    }

    private Shape ShapeFor(string key, Func<Shape> build)
    {
        if (!_shapes.TryGetValue(key, out var shape))
        {
            shape = build();
            _shapes[key] = shape;
        }

        return shape;
    }

    private Shape InsertShape(Type type, string? tail)
    {
        var entity = EntityType(type);
        var columns = Columns(entity);
        var placeholders = string.Join(", ", columns.Select((_, i) => Placeholder(i)));
        var sql = $"INSERT INTO {Table(entity)} ({string.Join(", ", columns.Select(c => _sql.DelimitIdentifier(c.Name)))}) VALUES ({placeholders}){tail}";
        return new Shape(sql, columns);
    }

    private Shape UpdateShape(Type type, List<int> changed)
    {
        var entity = EntityType(type);
        var all = Columns(entity);
        var key = all.Single(c => c.Property.IsPrimaryKey());
        var token = all.Single(c => c.Property.IsConcurrencyToken);
        var set = changed.Select(i => all[i]).ToList();
        var columns = new List<Column>(set) { key, token };
        var assignments = string.Join(", ", set.Select((c, i) => $"{_sql.DelimitIdentifier(c.Name)} = {Placeholder(i)}"));
        var sql = $"UPDATE {Table(entity)} SET {assignments} WHERE {_sql.DelimitIdentifier(key.Name)} = {Placeholder(set.Count)} AND {_sql.DelimitIdentifier(token.Name)} = {Placeholder(set.Count + 1)}";
        return new Shape(sql, columns);
    }

    private List<Column> CaseColumns() => _caseColumns ??= Columns(EntityType(typeof(RecoveryCase)));

    private Shape DueDeleteShape()
    {
        var entity = EntityType(typeof(DueWork));
        var columns = Columns(entity);
        var where = new[] { nameof(DueWork.Kind), nameof(DueWork.CaseId), nameof(DueWork.RefId) }
            .Select(name => columns.Single(c => c.Property.Name == name)).ToList();
        var sql = $"DELETE FROM {Table(entity)} WHERE " + string.Join(" AND ", where.Select((c, i) => $"{_sql.DelimitIdentifier(c.Name)} = {Placeholder(i)}"));
        return new Shape(sql, where);
    }

    // The same row again resets the lease, as scheduling does through EF Core: the work is new, whoever held it before.
    private string DueUpsertTail()
    {
        string Q(string name) => _sql.DelimitIdentifier(name);
        return $" ON CONFLICT ({Q(nameof(DueWork.Kind))}, {Q(nameof(DueWork.CaseId))}, {Q(nameof(DueWork.RefId))}) DO UPDATE SET " +
               $"{Q(nameof(DueWork.DueAt))} = excluded.{Q(nameof(DueWork.DueAt))}, {Q(nameof(DueWork.LeaseOwner))} = NULL, " +
               $"{Q(nameof(DueWork.LeaseUntil))} = NULL, {Q(nameof(DueWork.Attempts))} = 0";
    }

    // Microsoft.Data.Sqlite binds @p0… by name; Npgsql's batches take unnamed parameters as $1….
    private string Placeholder(int i) => _db.IsPostgres ? "$" + (i + 1) : "@p" + i;

    private IEntityType EntityType(Type type) =>
        _db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model.");

    private string Table(IEntityType entity) => _sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());

    /// <summary>Every column of the entity's table: its own properties and those of owned references stored in the same row.</summary>
    private static List<Column> Columns(IEntityType entity)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = new List<Column>();
        foreach (var property in entity.GetProperties())
        {
            if (property.IsShadowProperty())
            {
                // Shadow columns (a case's CreationKey) are written by EF Core on insert and never changed by the
                // domain, so a sweep has nothing to write there; there is no CLR value to read either.
                continue;
            }

            var getter = property.GetGetter();
            columns.Add(new Column(property.GetColumnName(table)!, property, getter.GetClrValueUsingContainingEntity));
        }

        foreach (var navigation in entity.GetNavigations().Where(n => n.ForeignKey.IsOwnership && n.IsOnDependent is false))
        {
            if (navigation.IsCollection || navigation.TargetEntityType.GetTableName() != entity.GetTableName())
            {
                continue;
            }

            var owned = navigation.GetGetter();
            foreach (var property in navigation.TargetEntityType.GetProperties().Where(p => !p.IsPrimaryKey()))
            {
                var getter = property.GetGetter();
                columns.Add(new Column(property.GetColumnName(table)!, property, root => owned.GetClrValueUsingContainingEntity(root) is { } value ? getter.GetClrValue(value) : null));
            }
        }

        return columns;
    }

    /// <summary>A case's column values as loaded, and its version then.</summary>
    public sealed record LoadedRow(object?[] Values, long Version);

    private sealed record Column(string Name, IProperty Property, Func<object, object?> Get)
    {
        private readonly RelationalTypeMapping _mapping = (RelationalTypeMapping)Property.GetRelationalTypeMapping();

        public ValueComparer Comparer { get; } = Property.GetValueComparer();

        public object ToProvider(object? value)
        {
            if (value is null)
            {
                return DBNull.Value;
            }

            return (_mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value) ?? DBNull.Value;
        }

        /// <summary>A parameter typed by the model's mapping, its value set as every later row's is (one conversion path).</summary>
        public DbParameter Parameter(DbCommand command, string name, object? value)
        {
            var parameter = _mapping.CreateParameter(command, name, null, Property.IsNullable);
            parameter.Value = ToProvider(value);
            return parameter;
        }
    }

    private sealed class Shape(string sql, List<Column> columns)
    {
        public string Sql { get; } = sql;

        public List<Column> Columns { get; } = columns;

        public object?[] Read(object row)
        {
            var values = new object?[Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Columns[i].Get(row);
            }

            return values;
        }
    }
}
