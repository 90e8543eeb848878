using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Incidents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Incidents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Dimension = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OpenedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    WindowStart = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Observed = table.Column<int>(type: "integer", nullable: false),
                    Expected = table.Column<double>(type: "double precision", nullable: false),
                    PValue = table.Column<double>(type: "double precision", nullable: false),
                    Affected = table.Column<int>(type: "integer", nullable: false),
                    LastSignalAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CasesOpenedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CasesOpenedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    MessagedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    MessagedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ClosedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Incidents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IncidentCustomers",
                columns: table => new
                {
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: false),
                    FirstSignalId = table.Column<Guid>(type: "uuid", nullable: false),
                    FirstSignalAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    MessagedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentCustomers", x => new { x.IncidentId, x.CustomerId });
                    table.ForeignKey(
                        name: "FK_IncidentCustomers_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_IncidentCustomers_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Signals_OccurredAt",
                table: "Signals",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_Signals_Orders",
                table: "Signals",
                columns: new[] { "CustomerId", "OccurredAt" },
                filter: "\"Event\" = 'OrderPlaced'");

            migrationBuilder.CreateIndex(
                name: "IX_IncidentCustomers_CustomerId",
                table: "IncidentCustomers",
                column: "CustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_IncidentCustomers_IncidentId_FirstSignalAt",
                table: "IncidentCustomers",
                columns: new[] { "IncidentId", "FirstSignalAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_Dimension_Key",
                table: "Incidents",
                columns: new[] { "Dimension", "Key" },
                unique: true,
                filter: "\"Status\" = 'Open'");

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_Status_OpenedAt",
                table: "Incidents",
                columns: new[] { "Status", "OpenedAt" },
                descending: new[] { false, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IncidentCustomers");

            migrationBuilder.DropTable(
                name: "Incidents");

            migrationBuilder.DropIndex(
                name: "IX_Signals_OccurredAt",
                table: "Signals");

            migrationBuilder.DropIndex(
                name: "IX_Signals_Orders",
                table: "Signals");
        }
    }
}
