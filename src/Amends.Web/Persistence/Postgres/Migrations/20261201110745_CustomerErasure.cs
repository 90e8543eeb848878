using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CustomerErasure : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ErasedAt",
                table: "Customers",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ErasedAt",
                table: "Customers");
        }
    }
}
