using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
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
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Each case's key from its clocks, as RecoveryCase.Risk() computes it (no clock or a breached one: never at risk).
            migrationBuilder.Sql("""
                UPDATE "Cases" SET "RiskKey" = CASE
                    WHEN "Sla_AcknowledgeBreached" = 1 OR "Sla_ResolveBreached" = 1 THEN '9999-12-31 23:59:59.9999999'
                    WHEN "Sla_AcknowledgeBy" IS NOT NULL THEN CASE WHEN "Sla_AcknowledgeWarnAt" IS NULL THEN "CreatedAt"
                        ELSE min("Sla_AcknowledgeWarnAt", strftime('%Y-%m-%d %H:%M:%f', "Sla_AcknowledgeBy", '-15 minutes')) END
                    WHEN "Sla_ResolveBy" IS NOT NULL THEN CASE WHEN "Sla_ResolveWarnAt" IS NULL THEN "CreatedAt"
                        ELSE min("Sla_ResolveWarnAt", strftime('%Y-%m-%d %H:%M:%f', "Sla_ResolveBy", '-15 minutes')) END
                    ELSE '9999-12-31 23:59:59.9999999' END
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
