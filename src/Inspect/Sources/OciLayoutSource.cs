using Images.Archive;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store.Transfer;

namespace Images.Inspect.Sources;

/// <summary>
/// An image of an OCI image layout directory, read in place (index.json, then the manifest, config and layer blobs):
/// the entry whose <c>org.opencontainers.image.ref.name</c> is the tag asked for, else the only image; an index
/// stands for the manifest of this platform.
/// </summary>
public sealed class OciLayoutSource : IImageSource
{
    private const int MaxDocumentSize = 16 << 20;
    private const int MaxIndexDepth = 8;

    private readonly string _root;
    private readonly IReadOnlyList<Descriptor> _layers;

    public OciLayoutSource(string directory, string? tag = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _root = directory;
        Name = tag is null ? $"oci:{directory}" : $"oci:{directory}:{tag}";
        if (!File.Exists(Path.Combine(directory, "index.json")))
            throw new InspectException($"{Name}: {directory} has no index.json, so it is not an OCI image layout; give the directory skopeo, umoci or 'images save' wrote.");
        var index = SourceJson.Parse<ImageIndex>(Name, File.ReadAllBytes(Path.Combine(directory, "index.json")), "index.json");
        var entries = index.Manifests.Where(d => !PlatformSelector.IsAttestation(d)).ToList();
        Descriptor chosen;
        if (tag is not null)
        {
            chosen = entries.FirstOrDefault(d => d.Annotation(Annotations.RefName) == tag)
                ?? throw new InspectException(
                    $"{Name}: the layout has no image tagged \"{tag}\" (it has: {string.Join(", ", entries.Select(d => d.Annotation(Annotations.RefName) ?? d.Digest.ToString()))}); give one of those.");
        }
        else
        {
            chosen = entries.Count == 1 ? entries[0]
                : throw new InspectException(
                    $"{Name}: the layout holds {entries.Count} images; name one as oci:{directory}:TAG (tags: {string.Join(", ", entries.Select(d => d.Annotation(Annotations.RefName) ?? "<none>"))}).");
        }
        for (int depth = 0; MediaTypes.IsIndex(chosen.MediaType); depth++)
        {
            if (depth >= MaxIndexDepth) throw new InspectException($"{Name}: indexes nest more than {MaxIndexDepth} deep; the layout is corrupt.");
            var nested = SourceJson.Parse<ImageIndex>(Name, ReadBlob(chosen.Digest), $"index {chosen.Digest}");
            chosen = PlatformSelector.Select(nested.Manifests, Core.Oci.Platform.Current)
                ?? throw new InspectException($"{Name}: index {chosen.Digest} has no image for {PlatformSelector.Describe(Core.Oci.Platform.Current)}.");
        }
        if (!MediaTypes.IsManifest(chosen.MediaType))
            throw new InspectException($"{Name}: {chosen.Digest} is a {chosen.MediaType}, not an image manifest.");
        var manifest = SourceJson.Parse<ImageManifest>(Name, ReadBlob(chosen.Digest), $"manifest {chosen.Digest}");
        Config = SourceJson.Parse<ImageConfig>(Name, ReadBlob(manifest.Config.Digest), $"config {manifest.Config.Digest}");
        _layers = manifest.Layers;
        if (Config.RootFs.DiffIds.Count != _layers.Count)
            throw new InspectException(
                $"{Name}: the manifest has {_layers.Count} layers but the config lists {Config.RootFs.DiffIds.Count} diff_ids; the image is inconsistent: make the layout again.");
    }

    public string Name { get; }
    public ImageConfig Config { get; }
    public int LayerCount => _layers.Count;

    public Stream OpenLayer(int index)
    {
        var file = OpenBlob(_layers[index].Digest);
        return Compression.OpenDecompressed(file);
    }

    private FileStream OpenBlob(Digest digest)
    {
        string path = Path.Combine(_root, "blobs", digest.Algorithm, digest.Encoded);
        if (!File.Exists(path))
            throw new InspectException($"{Name}: blob {digest} is missing (blobs/{digest.Algorithm}/{digest.Encoded}); the layout is incomplete: make it again.");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    private byte[] ReadBlob(Digest digest)
    {
        using var file = OpenBlob(digest);
        if (file.Length > MaxDocumentSize)
            throw new InspectException($"{Name}: blob {digest} is {file.Length} bytes, far larger than any manifest or config; the layout is corrupt.");
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    public void Dispose()
    {
    }
}
