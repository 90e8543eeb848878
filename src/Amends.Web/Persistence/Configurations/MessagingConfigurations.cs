using Amends.Domain.Cases;
using Amends.Domain.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Amends.Web.Persistence.Configurations;

internal sealed class OutboundMessageConfiguration : IEntityTypeConfiguration<OutboundMessage>
{
    public void Configure(EntityTypeBuilder<OutboundMessage> builder)
    {
        builder.ToTable("Outbox");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(24);
        builder.Property(m => m.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Route).HasMaxLength(64).IsRequired();
        builder.Property(m => m.To).HasMaxLength(320).IsRequired();
        builder.Property(m => m.ToName).HasMaxLength(200);
        builder.Property(m => m.Subject).HasMaxLength(OutboundMessage.MaxSubjectLength).IsRequired();
        builder.Property(m => m.TextBody).IsRequired();
        builder.Property(m => m.HeaderMessageId).HasMaxLength(200).IsRequired();
        builder.Property(m => m.InReplyTo).HasMaxLength(200);
        builder.Property(m => m.References).HasMaxLength(4000);
        builder.Property(m => m.LastError).HasMaxLength(OutboundMessage.MaxErrorLength);
        builder.Property(m => m.CreatedByName).HasMaxLength(200);
        builder.Property(m => m.Version).IsConcurrencyToken();
        builder.HasOne<RecoveryCase>().WithMany().HasForeignKey(m => m.CaseId).OnDelete(DeleteBehavior.Cascade);

        // The worker's claim: due queued messages, oldest due first.
        builder.HasIndex(m => new { m.State, m.NextAttemptAt });
        builder.HasIndex(m => new { m.CaseId, m.CreatedAt });
        builder.HasIndex(m => new { m.Route, m.CreatedAt });
        builder.HasIndex(m => m.HeaderMessageId).IsUnique();
    }
}

internal sealed class OutboundAttachmentConfiguration : IEntityTypeConfiguration<OutboundAttachment>
{
    public void Configure(EntityTypeBuilder<OutboundAttachment> builder)
    {
        builder.ToTable("OutboxAttachments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.FileName).HasMaxLength(255).IsRequired();
        builder.Property(a => a.ContentType).HasMaxLength(127).IsRequired();
        builder.HasOne<OutboundMessage>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.MessageId);
    }
}

internal sealed class InboundMessageConfiguration : IEntityTypeConfiguration<InboundMessage>
{
    public void Configure(EntityTypeBuilder<InboundMessage> builder)
    {
        builder.ToTable("InboundMessages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.Channel).HasMaxLength(64).IsRequired();
        builder.Property(m => m.ExternalId).HasMaxLength(300).IsRequired();
        builder.Property(m => m.WebhookId).HasMaxLength(300);
        builder.HasIndex(m => new { m.Channel, m.ExternalId }).IsUnique();
        builder.HasIndex(m => new { m.Channel, m.WebhookId }).IsUnique().HasFilter("\"WebhookId\" IS NOT NULL");
    }
}

internal sealed class InboundEmailConfiguration : IEntityTypeConfiguration<InboundEmail>
{
    public void Configure(EntityTypeBuilder<InboundEmail> builder)
    {
        builder.ToTable("InboundEmails");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.HeaderMessageId).HasMaxLength(300).IsRequired();
        builder.Property(m => m.FromAddress).HasMaxLength(320).IsRequired();
        builder.Property(m => m.FromName).HasMaxLength(200);
        builder.Property(m => m.Subject).HasMaxLength(OutboundMessage.MaxSubjectLength).IsRequired();
        builder.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Reason).HasMaxLength(1000);
        builder.Property(m => m.AttachmentsOmitted).HasMaxLength(1000);
        builder.Property(m => m.Version).IsConcurrencyToken();

        // Each message once, however often it is read.
        builder.HasIndex(m => m.HeaderMessageId).IsUnique();
        builder.HasIndex(m => new { m.State, m.ReceivedAt });
        builder.HasIndex(m => m.CaseId);
    }
}

internal sealed class InboundEmailAttachmentConfiguration : IEntityTypeConfiguration<InboundEmailAttachment>
{
    public void Configure(EntityTypeBuilder<InboundEmailAttachment> builder)
    {
        builder.ToTable("InboundEmailAttachments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.FileName).HasMaxLength(255).IsRequired();
        builder.Property(a => a.ContentType).HasMaxLength(127).IsRequired();
        builder.HasOne<InboundEmail>().WithMany().HasForeignKey(a => a.EmailId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.EmailId);
    }
}

internal sealed class MailboxCursorConfiguration : IEntityTypeConfiguration<MailboxCursor>
{
    public void Configure(EntityTypeBuilder<MailboxCursor> builder)
    {
        builder.ToTable("MailboxCursors");
        builder.HasKey(c => c.Mailbox);
        builder.Property(c => c.Mailbox).HasMaxLength(400);
    }
}
