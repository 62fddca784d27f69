using System.Text.Json;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Registry.Distribution;
using Images.Store.Registry;

namespace Images.Registry.Server;

/// <summary>
/// Reads what the registry must know from a pushed manifest without changing its bytes: its media type (the
/// <c>mediaType</c> field, which must agree with <c>Content-Type</c>, else <c>Content-Type</c>), the blobs and child
/// manifests it references, and its referrer facts (<c>subject</c>, artifact type, annotations).
/// </summary>
internal static class ManifestReader
{
    public static ManifestFacts Read(ReadOnlySpan<byte> bytes, string? contentType)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(bytes.ToArray()); }
        catch (JsonException e) { throw Invalid($"not JSON: {e.Message}"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid("not a JSON object");
            if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != 2)
                throw Invalid("schemaVersion must be 2");
            string? declared = OptionalString(root, "mediaType");
            string? type = (contentType ?? "").Split(';')[0].Trim() is { Length: > 0 } t ? t : null;
            if (declared is not null && type is not null && declared != type)
                throw Invalid($"its mediaType \"{declared}\" differs from the Content-Type \"{type}\"");
            string mediaType = declared ?? type ?? Guess(root);
            if (!ManifestMediaTypes.IsKnown(mediaType))
                throw Invalid($"media type \"{mediaType}\" is not one this registry stores ({ManifestMediaTypes.AcceptHeader})");

            var blobs = new List<Digest>();
            var children = new List<Digest>();
            string? artifactType = OptionalString(root, "artifactType");
            if (MediaTypes.IsIndex(mediaType))
            {
                if (!root.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
                    throw Invalid("an index needs a \"manifests\" array");
                foreach (var child in manifests.EnumerateArray()) children.Add(DescriptorDigest(child, "manifests[]"));
            }
            else
            {
                if (!root.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object)
                    throw Invalid("a manifest needs a \"config\" descriptor");
                blobs.Add(DescriptorDigest(config, "config"));
                artifactType ??= mediaType == MediaTypes.OciManifest ? OptionalString(config, "mediaType") : null;
                if (!root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
                    throw Invalid("a manifest needs a \"layers\" array");
                foreach (var layer in layers.EnumerateArray())
                {
                    var digest = DescriptorDigest(layer, "layers[]");
                    // Foreign (non-distributable) layers live at their URLs, not in registries.
                    if (!layer.TryGetProperty("urls", out var urls) || urls.ValueKind != JsonValueKind.Array || urls.GetArrayLength() == 0)
                        blobs.Add(digest);
                }
            }
            Digest? subject = root.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.Object ? DescriptorDigest(s, "subject") : null;
            Dictionary<string, string>? annotations = null;
            if (root.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
            {
                annotations = [];
                foreach (var property in a.EnumerateObject())
                    if (property.Value.ValueKind == JsonValueKind.String) annotations[property.Name] = property.Value.GetString()!;
            }
            return new ManifestFacts(mediaType, blobs.Distinct().ToList(), children.Distinct().ToList(), artifactType, subject, annotations);
        }
    }

    /// <summary>Without a declared type: an index has manifests, an image manifest has config and layers.</summary>
    private static string Guess(JsonElement root) => root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;

    private static Digest DescriptorDigest(JsonElement descriptor, string where)
    {
        if (descriptor.ValueKind != JsonValueKind.Object) throw Invalid($"{where} is not a descriptor object");
        string? text = OptionalString(descriptor, "digest") ?? throw Invalid($"{where} has no digest");
        if (!Digest.TryParse(text, out var digest, out var error)) throw Invalid($"{where}: {error}");
        if (!descriptor.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Number || size.GetInt64() < 0)
            throw Invalid($"{where} {digest} has no valid size");
        if (OptionalString(descriptor, "mediaType") is null) throw Invalid($"{where} {digest} has no mediaType");
        return digest;
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static RegistryException Invalid(string why) => new(ErrorCode.ManifestInvalid, $"manifest invalid: {why}");
}
