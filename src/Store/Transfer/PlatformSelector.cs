using Images.Core.Oci;
using OciPlatform = Images.Core.Oci.Platform;

namespace Images.Store.Transfer;

/// <summary>Picks, from an image index, the manifest that runs here.</summary>
public static class PlatformSelector
{
    /// <summary>Docker's attestation manifests (provenance, SBOM) sit in indexes with platform unknown/unknown: never images.</summary>
    public static bool IsAttestation(Descriptor descriptor) =>
        descriptor.Annotation("vnd.docker.reference.type") == "attestation-manifest";

    /// <summary>
    /// The entry of <paramref name="entries"/> for <paramref name="platform"/> (os and architecture; variant when both
    /// name one), else the only image entry; null when there are several and none matches.
    /// </summary>
    public static Descriptor? Select(IReadOnlyList<Descriptor> entries, OciPlatform platform)
    {
        var images = entries
            .Where(d => (MediaTypes.IsManifest(d.MediaType) || MediaTypes.IsIndex(d.MediaType)) && !IsAttestation(d))
            .ToList();
        return images.FirstOrDefault(d => Matches(d.Platform, platform)) ?? (images.Count == 1 ? images[0] : null);
    }

    public static bool Matches(OciPlatform? candidate, OciPlatform wanted) =>
        candidate is not null
        && candidate.Os == wanted.Os
        && candidate.Architecture == wanted.Architecture
        && (candidate.Variant is null || wanted.Variant is null || candidate.Variant == wanted.Variant);

    public static string Describe(OciPlatform? platform) =>
        platform is null ? "unknown" : $"{platform.Os}/{platform.Architecture}" + (platform.Variant is null ? "" : "/" + platform.Variant);
}
