using Amends.Domain.Cases;
using Amends.Domain.Remedies;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Amends.Web.Persistence.Configurations;

internal sealed class RemedyOfferConfiguration : IEntityTypeConfiguration<RemedyOffer>
{
    public void Configure(EntityTypeBuilder<RemedyOffer> builder)
    {
        builder.ToTable("Offers");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(24);
        builder.Property(o => o.Currency).HasMaxLength(3);
        builder.Property(o => o.CreatedByName).HasMaxLength(200);
        builder.Property(o => o.FulfilledByName).HasMaxLength(200);
        builder.Property(o => o.FulfilmentReference).HasMaxLength(200);
        builder.Property(o => o.Reason).HasMaxLength(RemedyOffer.MaxTextLength);
        builder.Property(o => o.ClosedReason).HasMaxLength(RemedyOffer.MaxTextLength);
        builder.Property(o => o.DecisionReason).HasMaxLength(RemedyOffer.MaxTextLength);
        builder.Property(o => o.DecidedByName).HasMaxLength(200);
        builder.Property(o => o.RequiredApprover).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.Version).IsConcurrencyToken();
        builder.Property(o => o.Options).HasConversion(JsonColumn.Converter<IReadOnlyList<OfferOption>>()!,
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<IReadOnlyList<OfferOption>>(
                (a, b) => a == b || (a != null && b != null && a.SequenceEqual(b)), v => v.Count, v => v.ToList()));
        builder.Ignore(o => o.Chosen);
        builder.Ignore(o => o.MaxAmountMinor);
        builder.Ignore(o => o.MaxValue);
        builder.HasOne<RecoveryCase>().WithMany().HasForeignKey(o => o.CaseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(o => new { o.CaseId, o.CreatedAt });
        builder.HasIndex(o => new { o.GrantedBy, o.GrantedAt });
        builder.HasIndex(o => new { o.Status, o.CreatedAt });
    }
}

internal sealed class AuthorityLimitConfiguration : IEntityTypeConfiguration<AuthorityLimit>
{
    public void Configure(EntityTypeBuilder<AuthorityLimit> builder)
    {
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Id).ValueGeneratedNever();
        builder.Property(l => l.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(l => l.Currency).HasMaxLength(3);
        builder.Property(l => l.Version).IsConcurrencyToken();
        builder.HasIndex(l => l.Role).IsUnique();
        builder.HasIndex(l => l.UserId).IsUnique();
    }
}

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> builder)
    {
        builder.ToTable("Ledger");
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.Action).HasMaxLength(40);
        builder.Property(e => e.ActorName).HasMaxLength(200);
        builder.Property(e => e.Subject).HasMaxLength(100);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.Reason).HasMaxLength(RemedyOffer.MaxTextLength);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.Property(e => e.KeyId).HasMaxLength(12);
        builder.HasIndex(e => e.CaseId);
        builder.HasIndex(e => e.At);
    }
}

internal sealed class LedgerHeadConfiguration : IEntityTypeConfiguration<LedgerHead>
{
    public void Configure(EntityTypeBuilder<LedgerHead> builder)
    {
        builder.ToTable("LedgerHead");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.Hash).HasMaxLength(64);
        builder.Property(h => h.KeyId).HasMaxLength(12);
        builder.Property(h => h.Mac).HasMaxLength(64);
    }
}

internal sealed class RoleSettingConfiguration : IEntityTypeConfiguration<RoleSetting>
{
    public void Configure(EntityTypeBuilder<RoleSetting> builder)
    {
        builder.ToTable("RoleSettings");
        builder.HasKey(s => s.Role);
        builder.Property(s => s.Role).HasMaxLength(16);
    }
}

internal sealed class RemedyCatalogueItemConfiguration : IEntityTypeConfiguration<RemedyCatalogueItem>
{
    public void Configure(EntityTypeBuilder<RemedyCatalogueItem> builder)
    {
        builder.ToTable("RemedyCatalogue");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Type).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Name).HasMaxLength(RemedyCatalogueItem.MaxNameLength);
        builder.Property(i => i.Currency).HasMaxLength(3);
        builder.Property(i => i.Version).IsConcurrencyToken();
        builder.HasIndex(i => i.Name).IsUnique();
    }
}
