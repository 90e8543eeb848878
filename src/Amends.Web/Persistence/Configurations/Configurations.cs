using Amends.Domain.Cases;
using Amends.Domain.Customers;
using Amends.Domain.Playbooks;
using Amends.Domain.Sla;
using Amends.Domain.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Amends.Web.Persistence.Configurations;

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Name).HasMaxLength(Customer.MaxNameLength).IsRequired();
        // The records merged into a customer, for erasing them with it and for following a merge of a merge.
        builder.HasIndex(c => c.MergedIntoId).HasFilter("\"MergedIntoId\" IS NOT NULL");
        builder.Property(c => c.Email).HasMaxLength(254);
        builder.Property(c => c.Phone).HasMaxLength(32);
        builder.Property(c => c.TimeZone).HasMaxLength(64);
        builder.Property(c => c.Language).HasMaxLength(8);
        builder.Property(c => c.EmailFailure).HasMaxLength(Customer.MaxFailureLength);
        builder.Property(c => c.PreferredChannel).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Tier).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.LifetimeValueCurrency).HasMaxLength(3).IsFixedLength(false);
        builder.Ignore(c => c.LifetimeValue);
        builder.HasIndex(c => c.Email).IsUnique();
        builder.HasIndex(c => c.Name);
        builder.HasIndex(c => c.Phone);
        builder.Property(c => c.ExternalId).HasMaxLength(Customer.MaxExternalIdLength);
        builder.HasIndex(c => c.ExternalId).IsUnique().HasFilter("\"ExternalId\" IS NOT NULL");
        builder.OwnsMany(c => c.ContactPoints, points =>
        {
            points.ToJson();
            points.Property(p => p.Channel).HasConversion<string>();
        });
        builder.Navigation(c => c.ContactPoints).HasField("_contactPoints");
    }
}

internal sealed class RecoveryCaseConfiguration : IEntityTypeConfiguration<RecoveryCase>
{
    public const string CreationKey = "CreationKey";

    public void Configure(EntityTypeBuilder<RecoveryCase> builder)
    {
        builder.ToTable("Cases");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Summary).HasMaxLength(RecoveryCase.MaxSummaryLength).IsRequired();
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(24);
        builder.Property(c => c.Outcome).HasConversion<string>().HasMaxLength(24);
        builder.Property(c => c.Category).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.DetectionVerdict).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Resolution).HasMaxLength(RecoveryCase.MaxTextLength);
        builder.Property(c => c.FollowUpComment).HasMaxLength(RecoveryCase.MaxTextLength);
        builder.Property(c => c.Version).IsConcurrencyToken();
        builder.Ignore(c => c.Reference);
        builder.HasIndex(c => c.Number).IsUnique();

        // Digest of the Idempotency-Key the case was opened with (IdempotencyMiddleware.RowKey): a retry that took over a
        // crashed request finds the case the first attempt committed instead of opening a second. Not a domain concern.
        builder.Property<string?>(CreationKey).HasMaxLength(64);
        builder.HasIndex(CreationKey).IsUnique().HasFilter("\"CreationKey\" IS NOT NULL");
        builder.Property(c => c.Escalation).HasConversion<string>().HasMaxLength(24);
        builder.Property(c => c.EscalationReason).HasConversion<string>().HasMaxLength(32);
        builder.HasOne<Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Team>().WithMany().HasForeignKey(c => c.TeamId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(c => c.Timeline).WithOne().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(c => c.Timeline).HasField("_timeline");
        builder.OwnsOne(c => c.Sla, sla =>
        {
            sla.Property(s => s.ObservedStatus).HasConversion<string>().HasMaxLength(24);
            sla.Ignore(s => s.IsPaused);
        });
        builder.Navigation(c => c.Sla).IsRequired();
        // Checklist items are immutable records: compare them by value instead of re-serialising on every change check.
        builder.Property(c => c.Checklist).HasConversion(
            JsonColumn.Converter<IReadOnlyList<ChecklistItem>>()!,
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<IReadOnlyList<ChecklistItem>>(
                (a, b) => a == b || (a != null && b != null && a.SequenceEqual(b)),
                v => v.Count,
                v => v.ToList()));

        builder.Property(c => c.CustomerName).HasMaxLength(200).IsRequired();
        builder.Property(c => c.LastCustomerMessage).HasMaxLength(RecoveryCase.SnippetLength + 1);

        // Every list filter reads straight off an index in list order (open first, then soonest breach, then id), so a
        // page is the first rows of an index range, with no sort and no scan of the table (ListCases; CaseListPlanTests).
        bool[] urgency = [true, false, false];
        builder.HasIndex(c => new { c.IsOpen, c.UrgencyKey, c.Id }).IsDescending(urgency);
        // "At risk": open cases in urgency order from now, each checked on the index entry itself (no look at the row):
        // the soonest due come first and are the ones at risk, so a page stops early.
        builder.HasIndex(c => new { c.IsOpen, c.UrgencyKey, c.RiskKey });
        builder.HasIndex(c => new { c.TeamId, c.IsOpen, c.UrgencyKey, c.Id }).IsDescending([false, .. urgency]);
        builder.HasIndex(c => new { c.OwnerId, c.IsOpen, c.UrgencyKey, c.Id }).IsDescending([false, .. urgency]);
        builder.HasIndex(c => new { c.CoverOwnerId, c.IsOpen, c.UrgencyKey, c.Id }).IsDescending([false, .. urgency]);
        builder.HasIndex(c => new { c.Priority, c.IsOpen, c.UrgencyKey, c.Id }).IsDescending([false, .. urgency]);
        builder.HasIndex(c => new { c.CustomerId, c.IsOpen, c.UrgencyKey, c.Id }).IsDescending([false, .. urgency]);
        builder.HasIndex(c => new { c.Escalation, c.TeamId, c.IsOpen, c.UrgencyKey, c.Id }).IsDescending([false, false, .. urgency]);
        // Detected cases (a few of all): in urgency order and riskiest first, holding only them.
        builder.HasIndex(c => new { c.IsOpen, c.UrgencyKey, c.Id }, "IX_Cases_Detected_IsOpen_UrgencyKey_Id").IsDescending(urgency).HasFilter("\"DetectedRisk\" IS NOT NULL");
        builder.HasIndex(c => new { c.IsOpen, c.DetectedRisk, c.Id }, "IX_Cases_Detected_IsOpen_Risk_Id").IsDescending([true, true, false]).HasFilter("\"DetectedRisk\" IS NOT NULL");
        // A status is open or closed, so within one status the urgency order needs no IsOpen key.
        builder.HasIndex(c => new { c.Status, c.UrgencyKey, c.Id });
        builder.HasIndex(c => new { c.TeamId, c.Status, c.UrgencyKey, c.Id });
        builder.HasIndex(c => new { c.OwnerId, c.Status, c.UrgencyKey, c.Id });
        builder.HasIndex(c => new { c.Status, c.Priority, c.CreatedAt });
        builder.HasIndex(c => new { c.CustomerId, c.CreatedAt });
    }
}

internal sealed class TimelineEntryConfiguration : IEntityTypeConfiguration<TimelineEntry>
{
    public void Configure(EntityTypeBuilder<TimelineEntry> builder)
    {
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(24);
        builder.Property(e => e.FromStatus).HasConversion<string>().HasMaxLength(24);
        builder.Property(e => e.ToStatus).HasConversion<string>().HasMaxLength(24);
        builder.Property(e => e.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.ActorName).HasMaxLength(200);
        builder.Property(e => e.OwnerName).HasMaxLength(200);
        builder.Property(e => e.Body).HasMaxLength(RecoveryCase.MaxTextLength + 200);
        builder.HasIndex(e => new { e.CaseId, e.Sequence });
    }
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> builder)
    {
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(Team.MaxNameLength).IsRequired();
        builder.HasIndex(t => t.Name).IsUnique();
        builder.Property(t => t.Hours).HasConversion(JsonColumn.Converter<BusinessHours>(), JsonColumn.Comparer<BusinessHours>());
    }
}

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(200).IsRequired();
        builder.HasOne<Team>().WithMany().HasForeignKey(u => u.TeamId).OnDelete(DeleteBehavior.SetNull);
        builder.Ignore(u => u.UserId);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(100).IsRequired();
        builder.Property(k => k.Prefix).HasMaxLength(16).IsRequired();
        builder.Property(k => k.Hash).HasMaxLength(32).IsRequired();
        builder.HasIndex(k => k.Prefix).IsUnique();
        builder.HasOne<AppUser>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PromiseConfiguration : IEntityTypeConfiguration<Promise>
{
    public void Configure(EntityTypeBuilder<Promise> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Text).HasMaxLength(Promise.MaxTextLength).IsRequired();
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        builder.Ignore(p => p.NextCheckAt);
        builder.HasOne<RecoveryCase>().WithMany().HasForeignKey(p => p.CaseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => new { p.CaseId, p.DueAt });
    }
}

internal sealed class PlaybookConfiguration : IEntityTypeConfiguration<Playbook>
{
    public void Configure(EntityTypeBuilder<Playbook> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Category).HasConversion<string>().HasMaxLength(32);
        builder.Property(p => p.Content).HasConversion(JsonColumn.Converter<PlaybookContent>()!, JsonColumn.Comparer<PlaybookContent>()!);
        builder.HasIndex(p => new { p.Category, p.Version }).IsUnique();
    }
}

internal sealed class DueWorkConfiguration : IEntityTypeConfiguration<DueWork>
{
    public void Configure(EntityTypeBuilder<DueWork> builder)
    {
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Kind).HasMaxLength(32);
        builder.Property(w => w.LastError).HasMaxLength(2000);
        builder.HasIndex(w => new { w.Kind, w.CaseId, w.RefId }).IsUnique();
        builder.HasIndex(w => w.DueAt);
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.HasKey(r => new { r.Scope, r.Key });
        builder.Property(r => r.Scope).HasMaxLength(64);
        builder.Property(r => r.Key).HasMaxLength(200);
        builder.Property(r => r.RequestHash).HasMaxLength(64);
        builder.Property(r => r.ContentType).HasMaxLength(200);
        builder.Property(r => r.Location).HasMaxLength(500);
        builder.HasIndex(r => r.CreatedAt);
        builder.Property(r => r.Holder).HasMaxLength(32);
    }
}
