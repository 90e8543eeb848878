using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CaseNumbers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Number",
                table: "Cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Existing cases are numbered in the order they were opened; the counter goes on from the last.
            migrationBuilder.Sql("""
                UPDATE "Cases" SET "Number" = 10000 + n."Row"
                FROM (SELECT "Id", ROW_NUMBER() OVER (ORDER BY "CreatedAt", "Id") AS "Row" FROM "Cases") AS n
                WHERE n."Id" = "Cases"."Id";
                CREATE TABLE "Counters" ("Name" TEXT NOT NULL CONSTRAINT "PK_Counters" PRIMARY KEY, "Value" INTEGER NOT NULL);
                INSERT INTO "Counters" ("Name", "Value") SELECT 'case-number', COALESCE(MAX("Number"), 10000) FROM "Cases";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Number",
                table: "Cases",
                column: "Number",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE \"Counters\";");
            migrationBuilder.DropIndex(
                name: "IX_Cases_Number",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Number",
                table: "Cases");
        }
    }
}
