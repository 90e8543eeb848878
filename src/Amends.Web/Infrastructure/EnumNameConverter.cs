using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Amends.Web.Infrastructure;

/// <summary>
/// Enums travel as their names, case-insensitively on the way in. Numbers and unknown names are refused with a message
/// that lists the names, which <see cref="BadRequestExceptionHandler"/> passes on as the field's error.
/// </summary>
internal sealed class EnumNameConverterFactory : JsonConverterFactory
{
    public const string HintPrefix = "Use one of: ";

    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(EnumNameConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class EnumNameConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly string Hint = HintPrefix + string.Join(", ", Enum.GetNames<T>()) + ".";

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? Parse(reader.GetString()) : throw new JsonException(Hint);

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

        // Enums as dictionary keys too (playbook templates and SLA targets are keyed by kind and priority).
        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString());

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WritePropertyName(value.ToString());

        private static T Parse(string? text) =>
            text is not null
            && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            && Enum.TryParse<T>(text, ignoreCase: true, out var value)
            && Enum.IsDefined(value)
                ? value
                : throw new JsonException(Hint);
    }
}
