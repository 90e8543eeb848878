using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SlaEscalationsDueWork : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TimelineEntries_CaseId_At",
                table: "TimelineEntries");

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "TimelineEntries",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Hours",
                table: "Teams",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "EscalatedAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Escalation",
                table: "Cases",
                type: "TEXT",
                maxLength: 24,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "EscalationReason",
                table: "Cases",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "EscalationSupervisorId",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "FollowUpsSent",
                table: "Cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastUpdateSentAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Sla_AcknowledgeBreached",
                table: "Cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "Sla_AcknowledgeBy",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "Sla_AcknowledgeTarget",
                table: "Cases",
                type: "TEXT",
                nullable: false,
                defaultValue: new TimeSpan(0, 0, 0, 0, 0));

            migrationBuilder.AddColumn<DateTime>(
                name: "Sla_AcknowledgeWarnAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Sla_AcknowledgedOnTime",
                table: "Cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "Sla_NextCheckAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "Sla_NextUpdateBy",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "Sla_NextUpdateWarnAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Sla_ObservedStatus",
                table: "Cases",
                type: "TEXT",
                maxLength: 24,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "Sla_ObservedUpdateAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Sla_ResolveBreached",
                table: "Cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "Sla_ResolveBy",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "Sla_ResolvePausedRemaining",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "Sla_ResolveTarget",
                table: "Cases",
                type: "TEXT",
                nullable: false,
                defaultValue: new TimeSpan(0, 0, 0, 0, 0));

            migrationBuilder.AddColumn<DateTime>(
                name: "Sla_ResolveWarnAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Sla_ResolvedOnTime",
                table: "Cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "Sla_UpdateTarget",
                table: "Cases",
                type: "TEXT",
                nullable: false,
                defaultValue: new TimeSpan(0, 0, 0, 0, 0));

            migrationBuilder.AddColumn<int>(
                name: "Sla_UpdatesMissed",
                table: "Cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "Sla_WarnAt",
                table: "Cases",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.CreateTable(
                name: "DueWork",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RefId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DueAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LeaseOwner = table.Column<Guid>(type: "TEXT", nullable: true),
                    LeaseUntil = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DueWork", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TimelineEntries_CaseId_Sequence",
                table: "TimelineEntries",
                columns: new[] { "CaseId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Escalation_TeamId",
                table: "Cases",
                columns: new[] { "Escalation", "TeamId" });

            migrationBuilder.CreateIndex(
                name: "IX_DueWork_DueAt",
                table: "DueWork",
                column: "DueAt");

            migrationBuilder.CreateIndex(
                name: "IX_DueWork_Kind_CaseId_RefId",
                table: "DueWork",
                columns: new[] { "Kind", "CaseId", "RefId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DueWork");

            migrationBuilder.DropIndex(
                name: "IX_TimelineEntries_CaseId_Sequence",
                table: "TimelineEntries");

            migrationBuilder.DropIndex(
                name: "IX_Cases_Escalation_TeamId",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "TimelineEntries");

            migrationBuilder.DropColumn(
                name: "Hours",
                table: "Teams");

            migrationBuilder.DropColumn(
                name: "EscalatedAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Escalation",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "EscalationReason",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "EscalationSupervisorId",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "FollowUpsSent",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "LastUpdateSentAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_AcknowledgeBreached",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_AcknowledgeBy",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_AcknowledgeTarget",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_AcknowledgeWarnAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_AcknowledgedOnTime",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_NextCheckAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_NextUpdateBy",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_NextUpdateWarnAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_ObservedStatus",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_ObservedUpdateAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_ResolveBreached",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_ResolveBy",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_ResolvePausedRemaining",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_ResolveTarget",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_ResolveWarnAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_ResolvedOnTime",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_UpdateTarget",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_UpdatesMissed",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Sla_WarnAt",
                table: "Cases");

            migrationBuilder.CreateIndex(
                name: "IX_TimelineEntries_CaseId_At",
                table: "TimelineEntries",
                columns: new[] { "CaseId", "At" });
        }
    }
}
