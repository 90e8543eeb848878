using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ModelScoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CustomerTier",
                table: "Signals",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Standard");

            migrationBuilder.AddColumn<string>(
                name: "FastVersion",
                table: "Signals",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ModelLeaseOwner",
                table: "Signals",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ModelLeaseUntil",
                table: "Signals",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RecentContacts",
                table: "Signals",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "RepeatFailure",
                table: "Signals",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // ModelVersion named the fast model until now; it names the sentence model's score from here on.
            migrationBuilder.Sql("UPDATE \"Signals\" SET \"FastVersion\" = \"ModelVersion\" WHERE \"FastScore\" IS NOT NULL;");
            migrationBuilder.Sql("UPDATE \"Signals\" SET \"ModelVersion\" = NULL WHERE \"ModelScore\" IS NULL;");

            migrationBuilder.CreateIndex(
                name: "IX_Signals_AwaitingModel",
                table: "Signals",
                columns: new[] { "Risk", "ReceivedAt" },
                descending: new[] { true, false },
                filter: "\"ModelScore\" IS NULL AND \"Text\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Signals_AwaitingModel",
                table: "Signals");

            migrationBuilder.DropColumn(
                name: "CustomerTier",
                table: "Signals");

            migrationBuilder.DropColumn(
                name: "FastVersion",
                table: "Signals");

            migrationBuilder.DropColumn(
                name: "ModelLeaseOwner",
                table: "Signals");

            migrationBuilder.DropColumn(
                name: "ModelLeaseUntil",
                table: "Signals");

            migrationBuilder.DropColumn(
                name: "RecentContacts",
                table: "Signals");

            migrationBuilder.DropColumn(
                name: "RepeatFailure",
                table: "Signals");
        }
    }
}
