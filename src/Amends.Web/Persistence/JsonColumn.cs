using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Amends.Web.Persistence;

/// <summary>A value stored as one JSON text column: settings read whole and never queried inside.</summary>
internal static class JsonColumn
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static ValueConverter<T?, string?> Converter<T>()
        where T : class =>
        new(v => v == null ? null : JsonSerializer.Serialize(v, Options), v => v == null ? null : JsonSerializer.Deserialize<T>(v, Options));

    public static ValueComparer<T?> Comparer<T>()
        where T : class =>
        new(
            (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
            v => v == null ? 0 : JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
            v => v == null ? null : JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Options), Options));
}
