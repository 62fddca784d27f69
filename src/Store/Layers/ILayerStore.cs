using Images.Core.Digests;
using Images.Archive;
using Images.Core.Oci;

namespace Images.Store.Layers;

/// <summary>
/// Layers by chain id: a driver's directories made from content-store blobs. The layer store is the only place
/// that combines a driver with the archive code (apply a blob, make a diff). Layer records are driver-independent;
/// a driver's copy of a layer is derived state, re-created from the blob when a driver first needs it.
/// </summary>
public interface ILayerStore
{
    Layer? Get(Digest chainId);

    IReadOnlyList<Layer> List();

    /// <summary>
    /// Registers the layer whose blob is already in the content store, on top of <paramref name="parent"/>
    /// (a chain id, or null for a base layer), and applies it through the driver. The diffID is computed while
    /// applying; when <paramref name="expectedDiffId"/> is given and differs, nothing is registered.
    /// Registering a chain that exists adds the blob to it and returns it.
    /// </summary>
    Layer Register(Descriptor blob, Digest? parent, Digest? expectedDiffId = null);

    /// <summary>
    /// Stores an uncompressed layer tar as a new blob (compressed as asked) and registers it on <paramref name="parent"/>.
    /// Used when a layer is made here (commit, build): one pass hashes the tar (diffID) and the compressed blob.
    /// </summary>
    Layer Create(Stream uncompressedTar, Digest? parent, LayerCompression compression = LayerCompression.Gzip);

    /// <summary>How many things use a layer (child layers, images on it, rw layers on it, mount holders), derived from the relations.</summary>
    int ReferenceCount(Digest chainId);

    /// <summary>
    /// Removes <paramref name="chainId"/> when nothing uses it, then its parents while nothing uses them; returns the
    /// chain ids removed, top first. Their blobs stay in the content store until garbage collection.
    /// </summary>
    IReadOnlyList<Digest> Release(Digest chainId);

    /// <summary>The uncompressed tar of one layer, read (and decompressed) from its blob.</summary>
    Stream OpenDiff(Digest chainId);

    /// <summary>Mounts the read-only root filesystem of a layer chain for <paramref name="holder"/>; returns its path.</summary>
    string Mount(Digest chainId, string holder);

    /// <summary>Releases <paramref name="holder"/>'s mount; the last holder's release unmounts.</summary>
    void Unmount(Digest chainId, string holder);

    /// <summary>Who holds mounts of layers, by chain id.</summary>
    IReadOnlyList<(Digest ChainId, string Holder)> Mounts();

    /// <summary>Creates a named read-write layer on <paramref name="parent"/> (a container's or a build step's).</summary>
    RwLayer CreateRw(string name, Digest? parent);

    RwLayer? GetRw(string name);

    IReadOnlyList<RwLayer> ListRw();

    /// <summary>Mounts a rw layer and returns the path of its root filesystem.</summary>
    string MountRw(string name);

    void UnmountRw(string name);

    /// <summary>What a rw layer changed against its parent, in Docker's A/C/D form, sorted by path.</summary>
    IReadOnlyList<Change> ChangesRw(string name);

    /// <summary>Writes a rw layer's changes as a layer tar (OCI whiteouts) to <paramref name="output"/>.</summary>
    void DiffRw(string name, Stream output);

    /// <summary>Removes a rw layer (unmounting it first).</summary>
    void RemoveRw(string name);

    /// <summary>
    /// Turns rw layer <paramref name="rwName"/> into a layer on its parent: its diff is streamed once (hashed for the
    /// diffID while compressed into a new blob), the layer registered, and the rw layer's driver directory adopted as
    /// the layer's driver copy (nothing is re-applied). The rw layer name is gone afterwards. When the chain exists
    /// already, the blob becomes one more source of it and the rw layer's directory is removed.
    /// </summary>
    Layer Commit(string rwName, CommitOptions? options = null);
}

/// <summary>A registered layer.</summary>
public sealed record Layer(
    Digest ChainId,
    Digest DiffId,
    Digest? Parent,
    long Size,
    IReadOnlyList<Descriptor> Blobs,
    DateTimeOffset Created);

/// <summary>A read-write layer on top of a layer chain, owned by a container or a build step.</summary>
public sealed record RwLayer(string Name, Digest? Parent, DateTimeOffset Created);
