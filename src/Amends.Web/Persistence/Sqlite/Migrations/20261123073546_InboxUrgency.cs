using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InboxUrgency : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_OwnerId_Status",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_TeamId_Status",
                table: "Cases");

            migrationBuilder.AddColumn<bool>(
                name: "IsOpen",
                table: "Cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "UrgencyKey",
                table: "Cases",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Existing cases: open unless closed, urgent by their running clock.
            migrationBuilder.Sql("UPDATE \"Cases\" SET \"IsOpen\" = (\"Status\" <> 'Closed'), \"UrgencyKey\" = COALESCE(\"Sla_AcknowledgeBy\", \"Sla_ResolveBy\", '9999-12-31 23:59:59.9999999');");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_IsOpen_UrgencyKey",
                table: "Cases",
                columns: new[] { "IsOpen", "UrgencyKey" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_OwnerId_IsOpen_UrgencyKey",
                table: "Cases",
                columns: new[] { "OwnerId", "IsOpen", "UrgencyKey" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TeamId_IsOpen_UrgencyKey",
                table: "Cases",
                columns: new[] { "TeamId", "IsOpen", "UrgencyKey" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_IsOpen_UrgencyKey",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_OwnerId_IsOpen_UrgencyKey",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_TeamId_IsOpen_UrgencyKey",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "IsOpen",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "UrgencyKey",
                table: "Cases");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_OwnerId_Status",
                table: "Cases",
                columns: new[] { "OwnerId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TeamId_Status",
                table: "Cases",
                columns: new[] { "TeamId", "Status" });
        }
    }
}
