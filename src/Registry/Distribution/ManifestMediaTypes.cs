using Images.Core.Oci;

namespace Images.Registry.Distribution;

/// <summary>
/// The manifest media types a registry stores and serves (OCI manifest and index, Docker v2s2 manifest and list),
/// and <c>Accept</c> negotiation over them.
/// </summary>
public static class ManifestMediaTypes
{
    public static IReadOnlyList<string> All { get; } =
        [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

    /// <summary>The Accept header a client sends to get any of them.</summary>
    public static string AcceptHeader { get; } = string.Join(", ", All);

    public static bool IsKnown(string? mediaType) => mediaType is not null && All.Contains(mediaType);

    /// <summary>
    /// Whether a client that sent <paramref name="acceptValues"/> takes <paramref name="mediaType"/>. No Accept (or
    /// <c>*/*</c>, or <c>application/*</c>) takes anything; q=0 refuses. A registry cannot convert a manifest, so the
    /// stored type is served or refused, never rewritten.
    /// </summary>
    public static bool Accepts(IEnumerable<string?> acceptValues, string mediaType)
    {
        bool any = false;
        foreach (var (type, quality) in ParseAccept(acceptValues))
        {
            any = true;
            if (quality <= 0) continue;
            if (type == "*/*" || type == "application/*" || string.Equals(type, mediaType, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return !any;
    }

    /// <summary>Media ranges and their q values, from one or more Accept header values (each may be a comma list).</summary>
    public static IEnumerable<(string Type, double Quality)> ParseAccept(IEnumerable<string?> acceptValues)
    {
        foreach (var header in acceptValues)
        {
            if (string.IsNullOrWhiteSpace(header)) continue;
            foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                double quality = 1;
                foreach (var parameter in pieces.Skip(1))
                    if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase) &&
                        double.TryParse(parameter.AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q))
                        quality = q;
                if (pieces[0].Length > 0) yield return (pieces[0], quality);
            }
        }
    }
}
