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
