using Images.Archive;
using Images.Core.Oci;
using Images.Store.Content;

namespace Images.Store.Transfer;

/// <summary>
/// Reads a docker-archive (<c>docker save</c> before Docker 25, <c>skopeo copy … docker-archive:</c>): manifest.json names
/// files, not digests, and there is no image manifest. The files are blobs as they are: the config keeps its digest
/// (the image id) and each layer tar its digest (its diffID when uncompressed, as docker writes them), and a manifest
/// is made for them: an OCI manifest, serialized by <see cref="OciJson"/> and stored, whose digest is the image's
/// manifest digest from then on (a docker-archive has none to keep).
/// </summary>
internal static class DockerArchivePlanner
{
    public static IReadOnlyList<PlannedImage> Plan(IArchiveSource source, IContentStore content, byte[] manifestBytes)
    {
        var entries = ArchiveJson.Parse<List<DockerArchiveManifest>>(manifestBytes, source.Name, "manifest.json");
        var images = new List<PlannedImage>();
        foreach (var entry in entries)
        {
            var configBlob = source.FetchFile(entry.Config, "config");
            var (_, config) = ArchiveJson.ReadBlob<ImageConfig>(content, configBlob.Digest, source.Name, "config");
            var layers = new List<Descriptor>(entry.Layers.Count);
            for (int i = 0; i < entry.Layers.Count; i++)
            {
                var blob = source.FetchFile(entry.Layers[i], $"layer {i + 1} of {entry.Config}");
                layers.Add(new Descriptor { MediaType = MediaTypes.OciLayerFor(CompressionOf(content, blob)), Digest = blob.Digest, Size = blob.Size });
            }
            var manifest = new ImageManifest
            {
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configBlob.Digest, Size = configBlob.Size },
                Layers = layers,
            };
            var stored = content.Write(OciJson.Serialize(manifest));
            var image = images.Find(p => p.ManifestDigest == stored.Digest);
            if (image is null)
            {
                image = PlannedImage.Create(source.Name, stored.Digest, manifest, config);
                images.Add(image);
            }
            foreach (var repoTag in entry.RepoTags ?? [])
                image.AddName(ImageNames.OfRepoTag(repoTag, source.Name));
        }
        return images;
    }

    /// <summary>Docker writes layers uncompressed, but a hand-made archive may hold compressed ones: the magic decides.</summary>
    private static LayerCompression CompressionOf(IContentStore content, BlobInfo blob)
    {
        Span<byte> header = stackalloc byte[8];
        using var stream = content.OpenRead(blob.Digest);
        int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        return Compression.Detect(header[..read]);
    }
}
