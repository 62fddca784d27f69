using System.Text.Json;
using System.Text.Json.Serialization;

namespace Images.Core.Oci;

/// <summary>
/// The one place that turns OCI documents into objects and back. Reading never changes the bytes that
/// were hashed: callers keep the original bytes alongside the parsed object.
/// </summary>
public static class OciJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = false,
        WriteIndented = false,
        // Media types contain '+': write it as is, as every other OCI tool does, not as \u002B.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    /// <summary>Parses <paramref name="bytes"/> as <typeparamref name="T"/>; a malformed document gives a <see cref="FormatException"/> naming <paramref name="what"/>.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> bytes, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Options)
                ?? throw new FormatException($"{what} is not valid: the document is null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{what} is not valid JSON of the expected shape: {e.Message}", e);
        }
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>The "mediaType" field of a manifest-like document, or null.</summary>
    public static string? PeekMediaType(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            if (doc.RootElement.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String)
                return mt.GetString();
            // An OCI manifest may omit mediaType: tell manifests and indexes apart by their fields.
            if (doc.RootElement.TryGetProperty("manifests", out _)) return MediaTypes.OciIndex;
            if (doc.RootElement.TryGetProperty("config", out _)) return MediaTypes.OciManifest;
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
