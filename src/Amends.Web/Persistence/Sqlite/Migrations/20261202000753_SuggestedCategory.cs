using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
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
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SuggestedCategory",
                table: "Signals",
                type: "TEXT",
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
