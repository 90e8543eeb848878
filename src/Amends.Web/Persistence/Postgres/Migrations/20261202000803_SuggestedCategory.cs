using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SuggestedCategory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "CategoryConfidence",
                table: "Signals",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SuggestedCategory",
                table: "Signals",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CategoryConfidence",
                table: "Signals");

            migrationBuilder.DropColumn(
                name: "SuggestedCategory",
                table: "Signals");
        }
    }
}
