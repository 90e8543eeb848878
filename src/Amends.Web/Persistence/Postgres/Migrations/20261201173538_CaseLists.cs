using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace Amends.Web.Persistence.Postgres.Migrations
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
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "LastCustomerMessage",
                table: "Cases",
                type: "character varying(141)",
                maxLength: 141,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastCustomerMessageAt",
                table: "Cases",
                type: "timestamp with time zone",
                nullable: true);

            // Lists show the customer's name and their latest message from the case row itself.
            migrationBuilder.Sql("UPDATE \"Cases\" c SET \"CustomerName\" = cu.\"Name\" FROM \"Customers\" cu WHERE cu.\"Id\" = c.\"CustomerId\"");
            migrationBuilder.Sql("""
                UPDATE "Cases" c SET "LastCustomerMessage" = m.snippet, "LastCustomerMessageAt" = m."At"
                FROM (SELECT DISTINCT ON (e."CaseId") e."CaseId", left(regexp_replace(e."Body", '\s+', ' ', 'g'), 140) AS snippet, e."At"
                      FROM "TimelineEntries" e WHERE e."Kind" = 'MessageIn' ORDER BY e."CaseId", e."Sequence" DESC) m
                WHERE m."CaseId" = c."Id"
                """);

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "SearchVector",
                table: "Cases",
                type: "tsvector",
                nullable: true,
                computedColumnSql: "to_tsvector('simple', \"Number\"::text || ' ' || \"Summary\" || ' ' || \"CustomerName\")",
                stored: true);

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
                name: "IX_Cases_SearchVector",
                table: "Cases",
                column: "SearchVector")
                .Annotation("Npgsql:IndexMethod", "GIN");

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
                name: "IX_Cases_SearchVector",
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
                name: "SearchVector",
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
