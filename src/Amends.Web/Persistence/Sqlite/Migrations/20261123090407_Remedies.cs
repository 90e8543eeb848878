using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Remedies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuthorityLimits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PerCaseMinor = table.Column<long>(type: "INTEGER", nullable: true),
                    Per30DaysMinor = table.Column<long>(type: "INTEGER", nullable: true),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuthorityLimits", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Ledger",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ActorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AmountMinor = table.Column<long>(type: "INTEGER", nullable: true),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    Before = table.Column<string>(type: "TEXT", nullable: true),
                    After = table.Column<string>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    PreviousHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Ledger", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "Offers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Options = table.Column<string>(type: "TEXT", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    GrantedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    GrantedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RequiredApprover = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    ApprovalDueAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DecidedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    DecidedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    DecisionReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ChosenOptionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ChosenAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FulfilmentReference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    FulfilledBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    FulfilledByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    FulfilledAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ClosedReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Offers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Offers_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RemedyCatalogue",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    DefaultAmountMinor = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RemedyCatalogue", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuthorityLimits_Role",
                table: "AuthorityLimits",
                column: "Role",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuthorityLimits_UserId",
                table: "AuthorityLimits",
                column: "UserId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Ledger_At",
                table: "Ledger",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_Ledger_CaseId",
                table: "Ledger",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_Offers_CaseId_CreatedAt",
                table: "Offers",
                columns: new[] { "CaseId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Offers_GrantedBy_GrantedAt",
                table: "Offers",
                columns: new[] { "GrantedBy", "GrantedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Offers_Status_CreatedAt",
                table: "Offers",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RemedyCatalogue_Name",
                table: "RemedyCatalogue",
                column: "Name",
                unique: true);

            // The ledger is append-only: nothing in the product may change or remove an entry, and the database refuses too.
            migrationBuilder.Sql("CREATE TRIGGER \"Ledger_no_update\" BEFORE UPDATE ON \"Ledger\" BEGIN SELECT RAISE(ABORT, 'The audit ledger is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER \"Ledger_no_delete\" BEFORE DELETE ON \"Ledger\" BEGIN SELECT RAISE(ABORT, 'The audit ledger is append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Ledger_no_update\";");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Ledger_no_delete\";");

            migrationBuilder.DropTable(
                name: "AuthorityLimits");

            migrationBuilder.DropTable(
                name: "Ledger");

            migrationBuilder.DropTable(
                name: "Offers");

            migrationBuilder.DropTable(
                name: "RemedyCatalogue");
        }
    }
}
