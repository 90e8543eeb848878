using Amends.Domain.Cases;
using Amends.Domain.Customers;
using Amends.Domain.Teams;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Persistence;

/// <summary>
/// The one model. Each provider has a thin subclass that owns its migration set
/// (<see cref="SqliteAmendsDbContext"/>, <see cref="PostgresAmendsDbContext"/>); code depends on this base type.
/// </summary>
public abstract class AmendsDbContext(DbContextOptions options)
    : IdentityDbContext<AppUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>Keys that protect sign-in cookies and antiforgery tokens, shared by every instance of the app.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Amends.Domain.Signals.Signal> Signals => Set<Amends.Domain.Signals.Signal>();

    public DbSet<Amends.Domain.Signals.Incident> Incidents => Set<Amends.Domain.Signals.Incident>();

    public DbSet<Amends.Domain.Signals.IncidentCustomer> IncidentCustomers => Set<Amends.Domain.Signals.IncidentCustomer>();

    public DbSet<Amends.Domain.Signals.TrainedHead> TrainedHeads => Set<Amends.Domain.Signals.TrainedHead>();

    public DbSet<RecoveryCase> Cases => Set<RecoveryCase>();

    public DbSet<TimelineEntry> TimelineEntries => Set<TimelineEntry>();

    public DbSet<Team> Teams => Set<Team>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<DueWork> DueWork => Set<DueWork>();

    public DbSet<Promise> Promises => Set<Promise>();

    public DbSet<Amends.Domain.Playbooks.Playbook> Playbooks => Set<Amends.Domain.Playbooks.Playbook>();

    public DbSet<Amends.Domain.Remedies.RemedyOffer> Offers => Set<Amends.Domain.Remedies.RemedyOffer>();

    public DbSet<Amends.Domain.Remedies.AuthorityLimit> AuthorityLimits => Set<Amends.Domain.Remedies.AuthorityLimit>();

    public DbSet<Amends.Domain.Remedies.LedgerEntry> Ledger => Set<Amends.Domain.Remedies.LedgerEntry>();

    public DbSet<LedgerHead> LedgerHeads => Set<LedgerHead>();

    public DbSet<RoleSetting> RoleSettings => Set<RoleSetting>();

    public DbSet<Amends.Domain.Remedies.RemedyCatalogueItem> RemedyCatalogue => Set<Amends.Domain.Remedies.RemedyCatalogueItem>();

    public DbSet<Amends.Domain.Messaging.OutboundMessage> Outbox => Set<Amends.Domain.Messaging.OutboundMessage>();

    public DbSet<Amends.Domain.Messaging.OutboundAttachment> OutboxAttachments => Set<Amends.Domain.Messaging.OutboundAttachment>();

    public DbSet<InboundMessage> InboundMessages => Set<InboundMessage>();

    public DbSet<InboundEmail> InboundEmails => Set<InboundEmail>();

    public DbSet<InboundEmailAttachment> InboundEmailAttachments => Set<InboundEmailAttachment>();

    public DbSet<MailboxCursor> MailboxCursors => Set<MailboxCursor>();

    public abstract bool IsPostgres { get; }

    /// <summary>
    /// Waits for this database's turn to write, for a transaction that writes much at once (SQLite has one writer: saves
    /// queue in <see cref="SqliteWriteGate"/>); dispose it after the commit. Null on PostgreSQL, which needs no turn.
    /// </summary>
    public virtual Task<IAsyncDisposable?> WriteTurnAsync(CancellationToken ct) => Task.FromResult<IAsyncDisposable?>(null);

    /// <summary>
    /// Set while writing history that happened elsewhere or earlier (the demo data set): such changes send the customer no
    /// automatic updates.
    /// </summary>
    public bool RecordingHistory { get; set; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AmendsDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Amends.Domain.Common.CaseId>().HaveConversion<CaseIdConverter>();
        configurationBuilder.Properties<Amends.Domain.Common.CustomerId>().HaveConversion<CustomerIdConverter>();
        configurationBuilder.Properties<Amends.Domain.Common.TeamId>().HaveConversion<TeamIdConverter>();
        configurationBuilder.Properties<Amends.Domain.Common.UserId>().HaveConversion<UserIdConverter>();
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}

public sealed class SqliteAmendsDbContext(DbContextOptions<SqliteAmendsDbContext> options) : AmendsDbContext(options)
{
    public override bool IsPostgres => false;

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (Database.CurrentTransaction is not null)
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }

        var gate = Gate();
        gate.Wait();
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            gate.Release();
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (Database.CurrentTransaction is not null)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        var gate = Gate();
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public override async Task<IAsyncDisposable?> WriteTurnAsync(CancellationToken ct)
    {
        var gate = Gate();
        await gate.WaitAsync(ct);
        return new Turn(gate);
    }

    // One queue per database file: every context of this process that writes to it takes its turn (SqliteWriteGate).
    private SemaphoreSlim Gate() => SqliteWriteGate.For(Database.GetDbConnection().DataSource);

    private sealed class Turn(SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}

public sealed class PostgresAmendsDbContext(DbContextOptions<PostgresAmendsDbContext> options) : AmendsDbContext(options)
{
    public override bool IsPostgres => true;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // Text search of case lists: the case number, its summary and the customer's name as words ('simple': no
        // language's stemming, so names and order numbers stay as typed), kept by the database, behind a GIN index.
        // SQLite has its own full-text table instead (the SqliteSearch migration).
        builder.Entity<RecoveryCase>().Property<NpgsqlTypes.NpgsqlTsVector>(Features.Cases.CaseSearch.Column)
            .HasComputedColumnSql($"to_tsvector('simple', \"{nameof(RecoveryCase.Number)}\"::text || ' ' || \"{nameof(RecoveryCase.Summary)}\" || ' ' || \"{nameof(RecoveryCase.CustomerName)}\")", stored: true);
        builder.Entity<RecoveryCase>().HasIndex(Features.Cases.CaseSearch.Column).HasMethod("GIN");
    }
}
