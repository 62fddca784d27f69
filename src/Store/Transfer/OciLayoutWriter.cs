using System.Text;
using Images.Core.Digests;
using Images.Core.Oci;

namespace Images.Store.Transfer;

/// <summary>
/// Writes images as an OCI image layout: every blob byte for byte as stored (so manifest, config and layer digests
/// survive a save and load), and index.json with one entry per name carrying <c>io.containerd.image.name</c> (the full
/// name, which docker and containerd load by) and <c>org.opencontainers.image.ref.name</c> (the tag alone, which
/// <c>skopeo … oci:DIR:TAG</c> and <c>umoci … --image DIR:TAG</c> look up). An image saved by id gets one entry without names.
/// </summary>
internal static class OciLayoutWriter
{
    private static readonly byte[] LayoutHeader = Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}");

    public static void Write(LocalStore store, IReadOnlyList<SavedImage> images, IArchiveSink sink)
    {
        var entries = new List<Descriptor>();
        foreach (var saved in images)
        {
            var manifest = new Descriptor
            {
                MediaType = saved.Image.ManifestMediaType,
                Digest = saved.Image.ManifestDigest,
                Size = saved.Image.ManifestSize,
            };
            if (saved.Names.Count == 0) entries.Add(manifest);
            foreach (var name in saved.Names)
            {
                entries.Add(manifest with
                {
                    Annotations = new Dictionary<string, string>
                    {
                        [Annotations.ContainerdImageName] = name.ToString(),
                        [Annotations.RefName] = name.Tag!,
                    },
                });
            }
        }
        // The small documents first, so a reader streaming the tar knows what it holds before the blobs.
        sink.Add(ArchivePaths.OciLayout, LayoutHeader);
        sink.Add(ArchivePaths.Index, OciJson.Serialize(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = entries }));

        var written = new HashSet<Digest>();
        foreach (var saved in images)
        {
            var (manifestBytes, parsed) = store.Images.ReadManifest(saved.Image);
            var (configBytes, _) = store.Images.ReadConfig(saved.Image);
            if (written.Add(saved.Image.ManifestDigest)) sink.Add(ArchivePaths.BlobPath(saved.Image.ManifestDigest), manifestBytes);
            if (written.Add(parsed.Config.Digest)) sink.Add(ArchivePaths.BlobPath(parsed.Config.Digest), configBytes);
            foreach (var layer in parsed.Layers)
            {
                if (!written.Add(layer.Digest)) continue;
                using var blob = store.Content.OpenRead(layer.Digest);
                sink.Add(ArchivePaths.BlobPath(layer.Digest), blob);
            }
        }
    }
}
