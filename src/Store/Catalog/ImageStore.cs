using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;
using Images.Store.Content;
using Images.Store.Layers;

namespace Images.Store.Catalog;

/// <summary>
/// Images by config digest, their manifests (every manifest digest that pointed at an image is kept, for RepoDigests)
/// and their names. Image documents live in the content store; the metadata holds the records.
/// </summary>
public sealed class ImageStore : IImageStore
{
    private readonly Metadata _metadata;
    private readonly ContentStore _content;
    private readonly LayerStore _layers;

    internal ImageStore(Metadata metadata, ContentStore content, LayerStore layers)
    {
        _metadata = metadata;
        _content = content;
        _layers = layers;
    }

    public Image Add(Digest manifestDigest)
    {
        byte[] manifestBytes = _content.ReadAllBytes(manifestDigest);
        string? mediaType = OciJson.PeekMediaType(manifestBytes);
        if (MediaTypes.IsIndex(mediaType))
            throw new InvalidDataException(
                $"{manifestDigest} is an image index ({mediaType}), a list of per-platform manifests, not an image: add the manifest of one platform from it");
        if (!MediaTypes.IsManifest(mediaType))
            throw new InvalidDataException(
                $"{manifestDigest} is not an image manifest (media type {mediaType ?? "unknown"}); only OCI and Docker v2 schema 2 manifests are images");
        var manifest = OciJson.Parse<ImageManifest>(manifestBytes, $"manifest {manifestDigest}");
        if (!MediaTypes.IsConfig(manifest.Config.MediaType))
            throw new InvalidDataException(
                $"manifest {manifestDigest} is not a container image: its config has media type {manifest.Config.MediaType} (an artifact?)");

        var configDigest = manifest.Config.Digest;
        byte[] configBytes = _content.ReadAllBytes(configDigest);
        if (configBytes.Length != manifest.Config.Size)
            throw new InvalidDataException(
                $"manifest {manifestDigest} says config {configDigest} has {manifest.Config.Size} bytes, but the stored blob has {configBytes.Length}");
        var config = OciJson.Parse<ImageConfig>(configBytes, $"image config {configDigest}");

        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
            throw new InvalidDataException(
                $"image {configDigest}: its manifest lists {manifest.Layers.Count} layers but its config {diffIds.Count} diff_ids; the image is malformed");
        var chains = ChainId.All(diffIds);
        for (int i = 0; i < chains.Count; i++)
        {
            if (_metadata.GetLayer(chains[i]) is null)
                throw new InvalidOperationException(
                    $"image {configDigest}: layer {i + 1} of {chains.Count} (diff_id {diffIds[i]}, chain {chains[i]}) is not registered; register the image's layers before adding it");
        }

        _metadata.AddImage(new ImageRow(
            configDigest, manifestDigest, mediaType!, manifestBytes.Length,
            chains.Count == 0 ? null : chains[^1], config.Created, DateTimeOffset.UtcNow));
        return Get(configDigest)!;
    }

    public Image? Get(Digest imageId) => _metadata.GetImage(imageId) is { } row ? ToImage(row) : null;

    public IReadOnlyList<Image> List() => _metadata.ListImages().Select(ToImage).ToList();

    /// <summary>Every manifest known to point at the image (for RepoDigests), sorted by digest.</summary>
    public IReadOnlyList<Descriptor> Manifests(Digest imageId) => _metadata.ManifestsOf(imageId);

    public Image Resolve(string reference) =>
        TryResolve(reference, out _) ?? throw new ImageNotFoundException(
            $"no such image: {reference} (list images with 'images ls', or pull or load it first)");

    /// <summary>Resolves <paramref name="reference"/>; <paramref name="tag"/> is the full name when it matched a name.</summary>
    private Image? TryResolve(string reference, out string? tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        tag = null;
        // A full digest: an image id, else a manifest digest.
        if (Digest.TryParse(reference, out var digest))
            return Get(digest) ?? (_metadata.ImageByManifest(digest) is { } byManifest ? Get(byManifest) : null);

        if (Reference.TryParse(reference, out var parsed))
        {
            if (parsed.Digest is { } manifestDigest)
                return _metadata.ImageByManifest(manifestDigest) is { } id ? Get(id) : null;
            if (parsed.TaggedName is { } name && _metadata.ImageByTag(name) is { } tagged)
            {
                tag = name;
                return Get(tagged);
            }
        }

        // An id prefix, bare (as 'images ls' shows ids) or with its algorithm.
        string prefix = reference.Contains(':') ? reference : $"{Digest.Sha256}:{reference}";
        int colon = prefix.IndexOf(':');
        if (colon + 1 >= prefix.Length || !prefix[(colon + 1)..].All(char.IsAsciiHexDigitLower)) return null;
        var matches = _metadata.ImagesWithIdPrefix(prefix);
        return matches.Count switch
        {
            0 => null,
            1 => Get(matches[0]),
            _ => throw new ImageNotFoundException(
                $"image id prefix {reference} is ambiguous: it matches {matches.Count} images ({string.Join(", ", matches.Take(3).Select(m => m.Short))}{(matches.Count > 3 ? ", ..." : "")}); give more digits"),
        };
    }

    public void Tag(Digest imageId, Reference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string name = reference.TaggedName
            ?? throw new ArgumentException($"cannot tag with {reference}: a name needs a tag, not a digest", nameof(reference));
        if (reference.Digest is not null)
            throw new ArgumentException($"cannot tag with {reference}: give name:tag without a digest", nameof(reference));
        if (_metadata.GetImage(imageId) is null)
            throw new ImageNotFoundException($"no such image: {imageId} (list images with 'images ls')");
        _metadata.SetTag(name, imageId);
    }

    public bool Untag(Reference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.TaggedName is { } name && _metadata.RemoveTag(name);
    }

    public IReadOnlyList<string> Remove(string reference, bool force = false)
    {
        var image = TryResolve(reference, out string? byName)
            ?? throw new ImageNotFoundException($"no such image: {reference} (list images with 'images ls')");
        var users = Users(image);
        var lines = new List<string>();

        if (byName is not null)
        {
            var familiar = Reference.Parse(byName).FamiliarTaggedName;
            if (image.Tags.Count > 1)
            {
                _metadata.RemoveTag(byName);
                lines.Add($"Untagged: {familiar}");
                return lines;
            }
            if (users.Count > 0 && !force)
                throw new ImageConflictException(
                    $"conflict: unable to remove repository reference \"{reference}\" (must force) - image {image.Id.Short} is being used by {string.Join(", ", users)}; remove them first, or use force to untag only");
            _metadata.RemoveTag(byName);
            lines.Add($"Untagged: {familiar}");
            // Forced while in use: the name goes, the image stays for its containers (as Docker does).
            if (users.Count > 0) return lines;
        }
        else
        {
            if (image.Tags.Count > 1 && !force)
                throw new ImageConflictException(
                    $"conflict: unable to delete {image.Id.Short} (must be forced) - image is referenced in multiple repositories ({string.Join(", ", image.Tags.Select(t => t.ToFamiliarString()))}); remove the names one by one, or use force");
            if (users.Count > 0 && !force)
                throw new ImageConflictException(
                    $"conflict: unable to delete {image.Id.Short} (must be forced) - image is being used by {string.Join(", ", users)}; remove them first, or use force");
            foreach (var tag in image.Tags)
            {
                _metadata.RemoveTag(tag.TaggedName!);
                lines.Add($"Untagged: {tag.ToFamiliarString()}");
            }
        }

        // An app release may be rolled back to: its image stays, even when forced (only its names went).
        if (_metadata.AppsUsingImage(image.Id).Count > 0) return lines;
        var released = Delete(image.Id);
        if (released is not null)
        {
            lines.Add($"Deleted: {image.Id}");
            lines.AddRange(released.Select(chain => $"Deleted: {chain}"));
        }
        return lines;
    }

    /// <summary>
    /// Deletes an image record (with its names and manifest records) and then the layers only it used.
    /// Returns the layers removed, or null when the image was not there.
    /// </summary>
    internal IReadOnlyList<Digest>? Delete(Digest imageId)
    {
        var row = _metadata.GetImage(imageId);
        if (row is null || !_metadata.DeleteImage(imageId)) return null;
        return row.TopLayer is { } top ? _layers.Release(top) : [];
    }

    /// <summary>
    /// Every blob the store must keep: image configs and manifests, the blobs layers were registered from, and the
    /// layer blobs the known manifests name (so an image can be pushed again with the same digests).
    /// </summary>
    internal IReadOnlySet<Digest> ReferencedBlobs()
    {
        var referenced = new HashSet<Digest>(_metadata.ReferencedBlobs());
        foreach (var image in _metadata.ListImages())
        {
            foreach (var manifest in _metadata.ManifestsOf(image.Id))
            {
                if (!_content.Exists(manifest.Digest)) continue;
                try
                {
                    var parsed = OciJson.Parse<ImageManifest>(_content.ReadAllBytes(manifest.Digest), $"manifest {manifest.Digest}");
                    foreach (var layer in parsed.Layers) referenced.Add(layer.Digest);
                }
                catch (FormatException) { } // 'check' reports unreadable manifests
            }
        }
        return referenced;
    }

    /// <summary>What keeps an image from being deleted: rw layers (containers, builds) on its top layer and app releases of it.</summary>
    private List<string> Users(Image image)
    {
        var users = new List<string>();
        if (image.TopLayer is { } top) users.AddRange(_metadata.RwLayersOn(top).Select(rw => $"rw layer {rw}"));
        users.AddRange(_metadata.AppsUsingImage(image.Id).Select(app => $"app {app}"));
        return users;
    }

    /// <summary>Whether a rw layer, a mount holder or an app release uses the image.</summary>
    internal bool InUse(Image image) =>
        Users(image).Count > 0 || (image.TopLayer is { } top && _metadata.ListMounts().Any(m => m.ChainId == top));

    public (byte[] Bytes, ImageConfig Config) ReadConfig(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var bytes = _content.ReadAllBytes(image.Id);
        return (bytes, OciJson.Parse<ImageConfig>(bytes, $"image config {image.Id}"));
    }

    public (byte[] Bytes, ImageManifest Manifest) ReadManifest(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var bytes = _content.ReadAllBytes(image.ManifestDigest);
        return (bytes, OciJson.Parse<ImageManifest>(bytes, $"manifest {image.ManifestDigest}"));
    }

    private Image ToImage(ImageRow row) => new(
        row.Id, row.ManifestDigest, row.ManifestMediaType, row.ManifestSize, row.TopLayer,
        _metadata.TagsOf(row.Id).Select(Reference.Parse).ToList(), row.Created, row.Added);
}
