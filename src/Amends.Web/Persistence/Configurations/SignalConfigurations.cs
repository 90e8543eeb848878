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
        // Signals whose action is still to be taken, riskiest first.
        builder.HasIndex(s => new { s.Action, s.Risk }).HasFilter("\"Action\" = 'Pending'");
        // Signals the sentence model has still to read, riskiest first: the scoring backlog, claimed in batches.
        builder.HasIndex(s => new { s.Risk, s.ReceivedAt }, "IX_Signals_AwaitingModel").IsDescending(true, false)
            .HasFilter("\"ModelScore\" IS NULL AND \"Text\" IS NOT NULL");
    }
}
