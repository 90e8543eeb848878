using System.Net;
using System.Text.Json;
using Amends.Domain.Common;
using Amends.Domain.Messaging;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Messaging;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Messaging;

/// <summary>Readiness tells monitoring when customers are not hearing from us: outbox lag makes it Degraded, still 200.</summary>
public sealed class OutboxHealthTests
{
    [Fact]
    public async Task A_message_stuck_for_longer_than_the_warning_makes_readiness_degraded_until_it_is_dealt_with()
    {
        await using var app = new TestApp("Sqlite");
        await app.InitializeAsync();
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal("Healthy", await OutboxStatusAsync(app));

        // Queued half an hour ago on a channel this instance has no connection for: it keeps being retried, and waits.
        var c = await app.Agent.CaseAsync(ownerId: app.AgentUser.Id);
        Guid id;
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            var then = TimeProvider.System.GetUtcNow().AddMinutes(-30);
            var m = OutboundMessage.Queue(MessageKind.Reply, Channel.Sms, "webhook:nowhere", "+44 7700 900000", null, "Stuck", "Stuck", null, "amends.test", then,
                new CaseId(c.Id), new CustomerId(c.Customer.Id));
            db.Outbox.Add(m);
            await db.SaveChangesAsync(ct);
            id = m.Id;
        }

        Assert.Equal("Degraded", await OutboxStatusAsync(app));
        using var ready = await app.Anonymous.GetAsync("/health/ready", ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        await Eventually.UntilAsync(async () => (await app.Admin.PostAsync($"/api/outbox/{id}/cancel", null, ct)).StatusCode, s => s == HttpStatusCode.OK);
        Assert.Equal("Healthy", await OutboxStatusAsync(app));
    }

    private static async Task<string> OutboxStatusAsync(TestApp app)
    {
        using var json = JsonDocument.Parse(await app.Anonymous.GetStringAsync("/health/ready", TestContext.Current.CancellationToken));
        return json.RootElement.GetProperty("checks").GetProperty("outbox").GetProperty("status").GetString()!;
    }
}
