using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InboxIndexWithId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
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

            migrationBuilder.CreateIndex(
                name: "IX_Cases_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "IsOpen", "UrgencyKey", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_OwnerId_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "OwnerId", "IsOpen", "UrgencyKey", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TeamId_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "TeamId", "IsOpen", "UrgencyKey", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_OwnerId_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_TeamId_IsOpen_UrgencyKey_Id",
                table: "Cases");

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
    }
}
