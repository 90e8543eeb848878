using Amends.Domain.Common;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Amends.Web.Persistence;

public sealed class CaseIdConverter() : ValueConverter<CaseId, Guid>(v => v.Value, v => new CaseId(v));

public sealed class CustomerIdConverter() : ValueConverter<CustomerId, Guid>(v => v.Value, v => new CustomerId(v));

public sealed class TeamIdConverter() : ValueConverter<TeamId, Guid>(v => v.Value, v => new TeamId(v));

public sealed class UserIdConverter() : ValueConverter<UserId, Guid>(v => v.Value, v => new UserId(v));

/// <summary>All times are UTC; SQLite forgets the kind on the way back, so it is restored on read.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
