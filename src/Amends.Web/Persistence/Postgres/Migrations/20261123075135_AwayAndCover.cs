using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AwayAndCover : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "CoverOwnerId",
                table: "Cases",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "AwayUntil",
                table: "AspNetUsers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_CoverOwnerId_IsOpen",
                table: "Cases",
                columns: new[] { "CoverOwnerId", "IsOpen" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_CoverOwnerId_IsOpen",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "CoverOwnerId",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "AwayUntil",
                table: "AspNetUsers");
        }
    }
}
