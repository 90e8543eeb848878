using System.ComponentModel;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Web.Features.Cases;

namespace Amends.Web.Features.Customers;

public sealed record ContactPointDto(Channel Channel, string Address);

public sealed record CustomerDto(
    Guid Id,
    string Name,
    string? Email,
    string? Phone,
    Channel? PreferredChannel,
    ValueTier Tier,
    MoneyDto LifetimeValue,
    IReadOnlyList<ContactPointDto> ContactPoints,
    DateTime CreatedAt,
    string? TimeZone = null,
    string? Language = null,
    bool AutomaticUpdates = true,
    [property: Description("Set when this record was merged into another (the same person): follow it to the customer kept")] Guid? MergedIntoId = null)
{
    public static CustomerDto From(Customer c) => new(
        c.Id.Value,
        c.Name,
        c.Email,
        c.Phone,
        c.PreferredChannel,
        c.Tier,
        MoneyDto.From(c.LifetimeValue),
        [.. c.AllContactPoints().Select(p => new ContactPointDto(p.Channel, p.Address))],
        c.CreatedAt,
        c.TimeZone,
        c.Language,
        c.WantsAutomaticUpdates,
        c.MergedIntoId?.Value);
}

/// <summary>A customer with their case history, newest first.</summary>
public sealed record CustomerDetail(CustomerDto Customer, IReadOnlyList<CaseListItem> Cases);
