using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AtRiskKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "RiskKey",
                table: "Cases",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Each case's key from its clocks, as RecoveryCase.Risk() computes it (no clock or a breached one: never at risk).
            migrationBuilder.Sql("""
                UPDATE "Cases" SET "RiskKey" = CASE
                    WHEN "Sla_AcknowledgeBreached" OR "Sla_ResolveBreached" THEN 'infinity'::timestamptz
                    WHEN "Sla_AcknowledgeBy" IS NOT NULL THEN CASE WHEN "Sla_AcknowledgeWarnAt" IS NULL THEN "CreatedAt"
                        ELSE LEAST("Sla_AcknowledgeWarnAt", "Sla_AcknowledgeBy" - interval '15 minutes') END
                    WHEN "Sla_ResolveBy" IS NOT NULL THEN CASE WHEN "Sla_ResolveWarnAt" IS NULL THEN "CreatedAt"
                        ELSE LEAST("Sla_ResolveWarnAt", "Sla_ResolveBy" - interval '15 minutes') END
                    ELSE 'infinity'::timestamptz END
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_IsOpen_UrgencyKey_RiskKey",
                table: "Cases",
                columns: new[] { "IsOpen", "UrgencyKey", "RiskKey" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_IsOpen_UrgencyKey_RiskKey",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "RiskKey",
                table: "Cases");
        }
    }
}
