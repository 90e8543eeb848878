using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;

namespace Amends.Web.Tests.Infrastructure;

/// <summary>Creates test data through the API, each call with fresh unique values.</summary>
public static class Data
{
    public static Task<CustomerDto> CustomerAsync(this HttpClient client, string? name = null, string tier = "Standard") =>
        client.PostJsonAsync<CustomerDto>("/api/customers", new
        {
            name = name ?? "Customer " + Guid.NewGuid().ToString("N")[..8],
            email = $"c-{Guid.NewGuid():N}@example.com",
            phone = "+44 7700 " + Random.Shared.Next(100000, 999999),
            tier,
        });

    public static async Task<CaseDetail> CaseAsync(this HttpClient client, Guid? customerId = null, string severity = "Medium",
        string category = "LateDelivery", Guid? teamId = null, string? summary = null, Guid? ownerId = null)
    {
        customerId ??= (await client.CustomerAsync()).Id;
        return await client.PostJsonAsync<CaseDetail>("/api/cases", new
        {
            customerId,
            category,
            summary = summary ?? "Parcel late " + Guid.NewGuid().ToString("N")[..6],
            channel = "Email",
            severity,
            teamId,
            ownerId,
        });
    }

    public static Task<CaseDetail> ActAsync(this HttpClient client, Guid caseId, string action, object? body = null) =>
        client.PostJsonAsync<CaseDetail>($"/api/cases/{caseId}/{action}", body);
}

/// <summary>Messages written straight into the outbox, as the app writes them, for tests that act on one before it goes.</summary>
public static class OutboxData
{
    /// <summary>An automatic e-mail to the case's customer, due after <paramref name="dueIn"/> (so it waits while the test acts).</summary>
    public static async Task<Guid> QueueAsync(this TestApp app, CaseDetail c, TimeSpan dueIn)
    {
        await using var scope = app.Scope();
        var db = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Amends.Web.Persistence.AmendsDbContext>(scope.ServiceProvider);
        var now = TimeProvider.System.GetUtcNow();
        var message = Amends.Domain.Messaging.OutboundMessage.Queue(Amends.Domain.Messaging.MessageKind.Update, Amends.Domain.Common.Channel.Email,
            Amends.Web.Features.Messaging.Routes.Mailbox, c.Customer.Email!, c.Customer.Name, "Later", "Later", null, "amends.test", now,
            new Amends.Domain.Common.CaseId(c.Id), new Amends.Domain.Common.CustomerId(c.Customer.Id), automatic: true, notBefore: now + dueIn);
        db.Outbox.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    }
}
