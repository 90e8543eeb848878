using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CaseLists : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_CoverOwnerId_IsOpen",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_Escalation_TeamId",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_OwnerId_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_TeamId_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.AddColumn<string>(
                name: "CustomerName",
                table: "Cases",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "LastCustomerMessage",
                table: "Cases",
                type: "TEXT",
                maxLength: 141,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastCustomerMessageAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Customers_Phone",
                table: "Customers",
                column: "Phone");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_CoverOwnerId_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "CoverOwnerId", "IsOpen", "UrgencyKey", "Id" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_CustomerId_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "CustomerId", "IsOpen", "UrgencyKey", "Id" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Escalation_TeamId_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "Escalation", "TeamId", "IsOpen", "UrgencyKey", "Id" },
                descending: new[] { false, false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "IsOpen", "UrgencyKey", "Id" },
                descending: new[] { true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_OwnerId_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "OwnerId", "IsOpen", "UrgencyKey", "Id" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_OwnerId_Status_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "OwnerId", "Status", "UrgencyKey", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Priority_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "Priority", "IsOpen", "UrgencyKey", "Id" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Status_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "Status", "UrgencyKey", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TeamId_IsOpen_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "TeamId", "IsOpen", "UrgencyKey", "Id" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TeamId_Status_UrgencyKey_Id",
                table: "Cases",
                columns: new[] { "TeamId", "Status", "UrgencyKey", "Id" });

            // Lists show the customer's name and their latest message from the case row itself.
            migrationBuilder.Sql("UPDATE \"Cases\" SET \"CustomerName\" = (SELECT \"Name\" FROM \"Customers\" WHERE \"Customers\".\"Id\" = \"Cases\".\"CustomerId\")");
            migrationBuilder.Sql("""
                UPDATE "Cases" SET ("LastCustomerMessage", "LastCustomerMessageAt") = (
                    SELECT substr(replace(replace(e."Body", char(13), ' '), char(10), ' '), 1, 140), e."At" FROM "TimelineEntries" e
                    WHERE e."CaseId" = "Cases"."Id" AND e."Kind" = 'MessageIn' ORDER BY e."Sequence" DESC LIMIT 1)
                """);

            // Text search: an FTS5 index over the case number, the summary and the customer's name, reading its text from
            // Cases (external content, keyed by the case number) and kept in step by triggers, whatever writes the row.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "CaseSearch" USING fts5("Number", "Summary", "CustomerName",
                    content='Cases', content_rowid='Number', tokenize='unicode61 remove_diacritics 2', prefix='2 3')
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Cases_search_insert" AFTER INSERT ON "Cases" BEGIN
                    INSERT INTO "CaseSearch"(rowid, "Number", "Summary", "CustomerName") VALUES (new."Number", new."Number", new."Summary", new."CustomerName");
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Cases_search_delete" AFTER DELETE ON "Cases" BEGIN
                    INSERT INTO "CaseSearch"("CaseSearch", rowid, "Number", "Summary", "CustomerName") VALUES ('delete', old."Number", old."Number", old."Summary", old."CustomerName");
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Cases_search_update" AFTER UPDATE OF "Number", "Summary", "CustomerName" ON "Cases" BEGIN
                    INSERT INTO "CaseSearch"("CaseSearch", rowid, "Number", "Summary", "CustomerName") VALUES ('delete', old."Number", old."Number", old."Summary", old."CustomerName");
                    INSERT INTO "CaseSearch"(rowid, "Number", "Summary", "CustomerName") VALUES (new."Number", new."Number", new."Summary", new."CustomerName");
                END
                """);
            migrationBuilder.Sql("INSERT INTO \"CaseSearch\"(\"CaseSearch\") VALUES ('rebuild')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Cases_search_insert\"");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Cases_search_delete\"");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Cases_search_update\"");
            migrationBuilder.Sql("DROP TABLE IF EXISTS \"CaseSearch\"");

            migrationBuilder.DropIndex(
                name: "IX_Customers_Phone",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "IX_Cases_CoverOwnerId_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_CustomerId_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_Escalation_TeamId_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_OwnerId_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_OwnerId_Status_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_Priority_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_Status_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_TeamId_IsOpen_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_TeamId_Status_UrgencyKey_Id",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "CustomerName",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "LastCustomerMessage",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "LastCustomerMessageAt",
                table: "Cases");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_CoverOwnerId_IsOpen",
                table: "Cases",
                columns: new[] { "CoverOwnerId", "IsOpen" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Escalation_TeamId",
                table: "Cases",
                columns: new[] { "Escalation", "TeamId" });

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
    }
}
