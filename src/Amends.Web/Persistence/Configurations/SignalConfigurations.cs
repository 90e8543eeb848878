using Amends.Domain.Customers;
using Amends.Domain.Signals;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Amends.Web.Persistence.Configurations;

internal sealed class SignalConfiguration : IEntityTypeConfiguration<Signal>
{
    public void Configure(EntityTypeBuilder<Signal> builder)
    {
        builder.ToTable("Signals");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Source).HasMaxLength(Signal.MaxSourceLength).IsRequired();
        builder.Property(s => s.ExternalId).HasMaxLength(Signal.MaxExternalIdLength).IsRequired();
        builder.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.SurveyType).HasConversion<string>().HasMaxLength(8);
        builder.Property(s => s.Event).HasConversion<string>().HasMaxLength(32);
        builder.Property(s => s.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Site).HasMaxLength(Signal.MaxReferenceLength);
        builder.Property(s => s.Product).HasMaxLength(Signal.MaxReferenceLength);
        builder.Property(s => s.Location).HasMaxLength(Signal.MaxReferenceLength);
        builder.Property(s => s.OrderReference).HasMaxLength(Signal.MaxReferenceLength);
        builder.Property(s => s.Text).HasMaxLength(Signal.MaxTextLength);
        builder.Property(s => s.Reason).HasMaxLength(1000);
        builder.Property(s => s.ModelVersion).HasMaxLength(64);
        builder.Property(s => s.FastVersion).HasMaxLength(64);
        builder.Property(s => s.SuggestedCategory).HasConversion<string>().HasMaxLength(32);
        builder.Property(s => s.CustomerTier).HasConversion<string>().HasMaxLength(16);
        builder.Ignore(s => s.Context);
        builder.Ignore(s => s.AwaitsModel);
        builder.Property(s => s.Value).HasPrecision(18, 4);
        builder.Ignore(s => s.HasText);
        // One JSON text column, read whole and never queried inside (so bulk writes carry it like any column).
        builder.Property(s => s.Cues).HasConversion(
            JsonColumn.Converter<IReadOnlyList<Cue>>()!,
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<IReadOnlyList<Cue>>(
                (a, b) => a == b || (a != null && b != null && a.SequenceEqual(b)),
                v => v.Count,
                v => v.ToList()));
        builder.HasOne<Customer>().WithMany().HasForeignKey(s => s.CustomerId).OnDelete(DeleteBehavior.Restrict);

        // Idempotency: a source's id for a signal is stored once.
        builder.HasIndex(s => new { s.Source, s.ExternalId }).IsUnique();
        // The customer's page and repeated-contact counts read a customer's signals newest first.
        builder.HasIndex(s => new { s.CustomerId, s.OccurredAt });
        builder.HasIndex(s => s.CaseId).HasFilter("\"CaseId\" IS NOT NULL");
        // Incident detection counts the negative signals of a window of time, this week and the same window of earlier weeks.
        builder.HasIndex(s => s.OccurredAt);
        // The purchase model reads each customer's orders: their count, first and last.
        builder.HasIndex(s => new { s.CustomerId, s.OccurredAt }, "IX_Signals_Orders").HasFilter("\"Event\" = 'OrderPlaced'");
        // Signals whose action is still to be taken, riskiest first.
        builder.HasIndex(s => new { s.Action, s.Risk }).HasFilter("\"Action\" = 'Pending'");
        // Signals the sentence model has still to read, riskiest first: the scoring backlog, claimed in batches.
        builder.HasIndex(s => new { s.Risk, s.ReceivedAt }, "IX_Signals_AwaitingModel").IsDescending(true, false)
            .HasFilter("\"ModelScore\" IS NULL AND \"Text\" IS NOT NULL");
    }
}

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.ToTable("Incidents");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Dimension).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Key).HasMaxLength(Incident.MaxKeyLength).IsRequired();
        builder.Property(i => i.CasesOpenedBy).HasMaxLength(Incident.MaxNameLength);
        builder.Property(i => i.MessagedBy).HasMaxLength(Incident.MaxNameLength);
        builder.Property(i => i.ClosedBy).HasMaxLength(Incident.MaxNameLength);
        builder.Property(i => i.Version).IsConcurrencyToken();
        builder.Ignore(i => i.Title);
        builder.Ignore(i => i.Reason);

        // One open incident per thing: two instances that see the same spike at once cannot both open one.
        builder.HasIndex(i => new { i.Dimension, i.Key }).IsUnique().HasFilter("\"Status\" = 'Open'");
        builder.HasIndex(i => new { i.Status, i.OpenedAt }).IsDescending(false, true);
    }
}

internal sealed class IncidentCustomerConfiguration : IEntityTypeConfiguration<IncidentCustomer>
{
    public void Configure(EntityTypeBuilder<IncidentCustomer> builder)
    {
        builder.ToTable("IncidentCustomers");
        builder.HasKey(c => new { c.IncidentId, c.CustomerId });
        builder.HasOne<Incident>().WithMany().HasForeignKey(c => c.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => c.CustomerId);
        builder.HasIndex(c => new { c.IncidentId, c.FirstSignalAt });
    }
}

internal sealed class TrainedHeadConfiguration : IEntityTypeConfiguration<TrainedHead>
{
    public void Configure(EntityTypeBuilder<TrainedHead> builder)
    {
        builder.ToTable("TrainedHeads");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.Version).HasMaxLength(64).IsRequired();
        builder.Property(h => h.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(h => h.Stage).HasMaxLength(200);
        builder.Property(h => h.CreatedBy).HasMaxLength(TrainedHead.MaxNameLength).IsRequired();
        builder.Property(h => h.ActivatedBy).HasMaxLength(TrainedHead.MaxNameLength);
        builder.Property(h => h.Error).HasMaxLength(TrainedHead.MaxErrorLength);
        builder.Ignore(h => h.Better);
        builder.HasIndex(h => h.Number).IsUnique();
        builder.HasIndex(h => h.Version).IsUnique();
        // At most one head in use.
        builder.HasIndex(h => h.Active).IsUnique().HasFilter("\"Active\"");
    }
}
