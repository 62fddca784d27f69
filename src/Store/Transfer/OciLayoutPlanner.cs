using System.Text.Json.Serialization;
using Images.Core.Oci;
using Images.Store.Content;

namespace Images.Store.Transfer;

/// <summary>
/// Reads an OCI image layout (and the OCI part of a newer <c>docker save</c>): every entry of index.json is an
/// image; an entry that is an index (nested to any depth) stands for the manifest of the current platform.
/// Entries that point at the same manifest are one image with several names.
/// </summary>
internal static class OciLayoutPlanner
{
    private const int MaxIndexDepth = 8;

    public static IReadOnlyList<PlannedImage> Plan(IArchiveSource source, IContentStore content, byte[] indexBytes)
    {
        CheckLayoutVersion(source);
        var index = ArchiveJson.Parse<ImageIndex>(indexBytes, source.Name, "index.json");
        var images = new List<PlannedImage>();
        foreach (var entry in index.Manifests)
        {
            if (PlatformSelector.IsAttestation(entry)) continue;
            if (!MediaTypes.IsManifest(entry.MediaType) && !MediaTypes.IsIndex(entry.MediaType))
                throw new TransferException(
                    $"{source.Name}: index.json has an entry {entry.Digest} of media type {entry.MediaType}, which is neither an image manifest " +
                    "nor an index; only images can be loaded.");
            var manifest = MediaTypes.IsIndex(entry.MediaType) ? SelectManifest(source, content, entry, 1) : entry;
            var image = images.Find(p => p.ManifestDigest == manifest.Digest) ?? Plan(source, content, manifest, images);
            image.AddName(ImageNames.OfIndexEntry(entry));
        }
        return images;
    }

    private static PlannedImage Plan(IArchiveSource source, IContentStore content, Descriptor descriptor, List<PlannedImage> images)
    {
        source.Fetch(descriptor, "manifest");
        var (_, manifest) = ArchiveJson.ReadBlob<ImageManifest>(content, descriptor.Digest, source.Name, "manifest");
        source.Fetch(manifest.Config, "config");
        var (_, config) = ArchiveJson.ReadBlob<ImageConfig>(content, manifest.Config.Digest, source.Name, "config");
        for (int i = 0; i < manifest.Layers.Count; i++)
            source.Fetch(manifest.Layers[i], $"layer {i + 1} of manifest {descriptor.Digest}");
        var image = PlannedImage.Create(source.Name, descriptor.Digest, manifest, config);
        images.Add(image);
        return image;
    }

    private static Descriptor SelectManifest(IArchiveSource source, IContentStore content, Descriptor indexDescriptor, int depth)
    {
        if (depth > MaxIndexDepth)
            throw new TransferException($"{source.Name}: indexes nest more than {MaxIndexDepth} deep at {indexDescriptor.Digest}: refusing a loop or a hostile archive.");
        source.Fetch(indexDescriptor, "image index");
        var (_, index) = ArchiveJson.ReadBlob<ImageIndex>(content, indexDescriptor.Digest, source.Name, "image index");
        var current = Core.Oci.Platform.Current;
        var chosen = PlatformSelector.Select(index.Manifests, current)
            ?? throw new TransferException(
                $"{source.Name}: image index {indexDescriptor.Digest} has no image for {PlatformSelector.Describe(current)} (it has: " +
                string.Join(", ", index.Manifests.Select(m => PlatformSelector.Describe(m.Platform))) +
                "); save or pull the image for this platform.");
        return MediaTypes.IsIndex(chosen.MediaType) ? SelectManifest(source, content, chosen, depth + 1) : chosen;
    }

    private static void CheckLayoutVersion(IArchiveSource source)
    {
        if (source.ReadDocument(ArchivePaths.OciLayout) is not { } bytes) return; // a docker-archive with index.json may omit it
        var layout = ArchiveJson.Parse<LayoutHeader>(bytes, source.Name, "oci-layout");
        if (layout.Version != "1.0.0")
            throw new TransferException(
                $"{source.Name}: oci-layout declares imageLayoutVersion \"{layout.Version}\"; only 1.0.0 is known. Make the layout with a tool that writes 1.0.0.");
    }

    private sealed record LayoutHeader([property: JsonPropertyName("imageLayoutVersion")] string? Version);
}
