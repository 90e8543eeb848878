using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Amends.Web.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class BreachedFirst : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A case that has breached an SLA clock lists with the breached, by the time it was opened (RecoveryCase.Urgency).
            migrationBuilder.Sql("UPDATE \"Cases\" SET \"UrgencyKey\" = \"CreatedAt\" WHERE \"Sla_AcknowledgeBreached\" = 1 OR \"Sla_ResolveBreached\" = 1");

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to undo: the old order sorted these cases by their running clock, which the next SLA check would redo.

        }
    }
}
