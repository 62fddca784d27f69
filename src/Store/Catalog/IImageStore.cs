using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;

namespace Images.Store.Catalog;

/// <summary>
/// Images (id = config digest) and the names that point at them. Manifests and configs are the exact bytes
/// stored in the content store; nothing here re-serializes what was hashed.
/// </summary>
public interface IImageStore
{
    /// <summary>
    /// Records the image whose manifest (and config and layer blobs) are in the content store and whose layers
    /// are registered. Returns the existing record when the image is known.
    /// </summary>
    Image Add(Digest manifestDigest);

    Image? Get(Digest imageId);

    /// <summary>
    /// Finds an image by <c>name[:tag]</c>, <c>name@digest</c>, full id (<c>sha256:…</c>) or unique id prefix.
    /// </summary>
    /// <exception cref="ImageNotFoundException">nothing matches, or a prefix is ambiguous.</exception>
    Image Resolve(string reference);

    IReadOnlyList<Image> List();

    /// <summary>Every manifest known to point at the image (for RepoDigests), sorted by digest.</summary>
    IReadOnlyList<Descriptor> Manifests(Digest imageId);

    /// <summary>Points <paramref name="reference"/> (name:tag) at an image, moving it from any other image.</summary>
    void Tag(Digest imageId, Reference reference);

    /// <summary>Removes one name; false when it did not exist.</summary>
    bool Untag(Reference reference);

    /// <summary>
    /// <c>rmi</c>: given a name, removes that name and, when it was the last one, the image; given an id, removes
    /// the image (with <paramref name="force"/> also when it has several names). Lines say what was done, as Docker prints them.
    /// </summary>
    IReadOnlyList<string> Remove(string reference, bool force = false);

    /// <summary>The exact config bytes and their parsed form.</summary>
    (byte[] Bytes, ImageConfig Config) ReadConfig(Image image);

    /// <summary>The exact manifest bytes and their parsed form.</summary>
    (byte[] Bytes, ImageManifest Manifest) ReadManifest(Image image);
}

/// <summary>An image in the store.</summary>
public sealed record Image(
    Digest Id,
    Digest ManifestDigest,
    string ManifestMediaType,
    long ManifestSize,
    Digest? TopLayer,
    IReadOnlyList<Reference> Tags,
    DateTimeOffset? Created,
    DateTimeOffset Added);

public sealed class ImageNotFoundException(string message) : Exception(message);

/// <summary>An image cannot be removed as asked: it has several names or is in use; the message says how to proceed.</summary>
public sealed class ImageConflictException(string message) : Exception(message);
