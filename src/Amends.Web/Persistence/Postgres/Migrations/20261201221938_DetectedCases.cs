using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DetectedCases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Cases_Detected_IsOpen_Risk_Id",
                table: "Cases",
                columns: new[] { "IsOpen", "DetectedRisk", "Id" },
                descending: new[] { true, true, false },
                filter: "\"DetectedRisk\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Detected_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "IsOpen", "UrgencyKey", "Id" },
                descending: new[] { true, false, false },
                filter: "\"DetectedRisk\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_Detected_IsOpen_Risk_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_Detected_IsOpen_UrgencyKey_Id",
                table: "Cases");
        }
    }
}
