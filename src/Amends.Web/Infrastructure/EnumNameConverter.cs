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

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String
                && reader.GetString() is { } text
                && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                && Enum.TryParse<T>(text, ignoreCase: true, out var value)
                && Enum.IsDefined(value))
            {
                return value;
            }

            throw new JsonException(Hint);
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
