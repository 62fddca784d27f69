using System.Security.Cryptography;
using Images.Archive;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Drivers;
using Images.Store.Content;

namespace Images.Store.Layers;

/// <summary>
/// Layers by chain id, made from content-store blobs through the graph driver. Layer records are driver-independent;
/// each driver's copy (<c>driver_layers</c>) is derived state, made from the layer's blob on first need.
/// <para>Crash safety: a driver layer is recorded in <c>pending</c> before the driver creates it and leaves
/// <c>pending</c> in the same transaction that makes it visible; removal works the other way round. Recovery on open
/// removes the pending driver layers of processes that are gone.</para>
/// </summary>
public sealed partial class LayerStore : ILayerStore, IDisposable
{
    private readonly Metadata _metadata;
    private readonly ContentStore _content;
    private readonly IGraphDriver _driver;
    private readonly StorePaths _paths;
    private readonly Dictionary<string, IGraphDriver?> _otherDrivers = new(StringComparer.Ordinal);
    // Driver mounts made by this instance: chain mounts (for adopting another process's mount on the last release)
    // and rw mounts (to unmount before removal).
    private readonly HashSet<Digest> _chainMounts = [];
    private readonly Dictionary<string, int> _rwMounts = new(StringComparer.Ordinal);

    internal LayerStore(Metadata metadata, ContentStore content, IGraphDriver driver, StorePaths paths)
    {
        _metadata = metadata;
        _content = content;
        _driver = driver;
        _paths = paths;
    }

    private string DriverName => _driver.Name;

    public Layer? Get(Digest chainId) => _metadata.GetLayer(chainId) is { } row ? ToLayer(row) : null;

    public IReadOnlyList<Layer> List() => _metadata.ListLayers().Select(ToLayer).ToList();

    /// <summary>How many things use a layer: child layers, images on it, rw layers on it and mount holders.</summary>
    public int ReferenceCount(Digest chainId) => _metadata.LayerReferences(chainId);

    public Layer Register(Descriptor blob, Digest? parent, Digest? expectedDiffId = null)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var stored = _content.Info(blob.Digest) ?? throw new BlobNotFoundException(blob.Digest);
        if (stored.Size != blob.Size)
            throw new ArgumentException(
                $"layer blob {blob.Digest}: the descriptor says {blob.Size} bytes but the stored blob has {stored.Size}; the descriptor is wrong", nameof(blob));
        if (parent is { } p) RequireLayer(p);

        // The same blob on the same parent is the same layer: nothing to apply.
        if (_metadata.LayerFromBlob(parent, blob.Digest) is { } registered && _metadata.GetLayer(registered) is { } same &&
            (expectedDiffId is null || expectedDiffId == same.DiffId))
            return ToLayer(same);

        if (expectedDiffId is { } expected && _metadata.GetLayer(ChainId.Of(parent, expected)) is { } known)
        {
            // The chain exists: the blob only becomes one more source of it, once it is shown to be that layer.
            if (!_metadata.HasLayerBlob(known.ChainId, blob.Digest))
            {
                var diffId = DiffIdOf(blob);
                if (diffId != expected) throw DiffIdMismatch(blob, diffId, expected);
                _metadata.AddLayerBlob(known.ChainId, blob);
            }
            return ToLayer(known);
        }

        string? parentDriverId = parent is { } pc ? EnsureDriverLayer(pc) : null;
        var applied = ApplyBlob(blob, parentDriverId, expectedDiffId);
        var chainId = ChainId.Of(parent, applied.DiffId);
        bool used;
        try
        {
            used = _metadata.CommitLayer(
                new LayerRow(chainId, applied.DiffId, parent, applied.Size, DateTimeOffset.UtcNow), blob, DriverName, applied.DriverId);
        }
        catch
        {
            RemovePendingDriverLayer(DriverName, applied.DriverId);
            throw;
        }
        // Another writer registered the same chain first: its driver copy stays, this one goes.
        if (!used) RemovePendingDriverLayer(DriverName, applied.DriverId);
        return Get(chainId)!;
    }

    public Layer Create(Stream uncompressedTar, Digest? parent, LayerCompression compression = LayerCompression.Gzip)
    {
        ArgumentNullException.ThrowIfNull(uncompressedTar);
        if (parent is { } p) RequireLayer(p);
        BlobInfo blob;
        Digest diffId;
        // One pass over the tar: hashed for the diffID on its way into the compressor, whose output is ingested.
        using (var writer = _content.BeginWrite())
        {
            using (var hashing = new HashingStream(uncompressedTar, leaveOpen: true))
            {
                using (var compressor = Compression.OpenCompressor(writer, compression, leaveOpen: true))
                    hashing.CopyTo(compressor);
                diffId = hashing.GetDigest();
            }
            blob = writer.Commit();
        }
        var descriptor = new Descriptor { MediaType = MediaTypes.OciLayerFor(compression), Digest = blob.Digest, Size = blob.Size };
        return Register(descriptor, parent, diffId);
    }

    public Stream OpenDiff(Digest chainId)
    {
        RequireLayer(chainId);
        var blob = StoredBlobOf(chainId);
        return Compression.OpenDecompressed(_content.OpenRead(blob.Digest));
    }

    public string Mount(Digest chainId, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        RequireLayer(chainId);
        string id = EnsureDriverLayer(chainId);
        return _metadata.AddMount(chainId, holder, () =>
        {
            string path = _driver.Mount(id);
            lock (_chainMounts) _chainMounts.Add(chainId);
            return path;
        });
    }

    public void Unmount(Digest chainId, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        bool held = _metadata.RemoveMount(chainId, holder, () =>
        {
            if (_metadata.DriverLayerId(DriverName, chainId) is not { } id) return;
            bool mine;
            lock (_chainMounts) mine = _chainMounts.Remove(chainId);
            // Mounted by another process (e.g. 'images mount'): adopt its mount, so this release is the last one.
            if (!mine) _driver.Mount(id);
            _driver.Unmount(id);
        });
        if (!held)
            throw new InvalidOperationException($"'{holder}' holds no mount of layer {chainId}; 'images mount' lists the mounts held");
    }

    public IReadOnlyList<(Digest ChainId, string Holder)> Mounts() => _metadata.ListMounts();

    public RwLayer CreateRw(string name, Digest? parent)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_metadata.GetRw(name) is not null)
            throw new InvalidOperationException($"rw layer '{name}' exists already; remove it first or choose another name");
        if (parent is { } p) RequireLayer(p);
        string? parentId = parent is { } pc ? EnsureDriverLayer(pc) : null;
        string id = NewDriverId();
        _metadata.AddPending(DriverName, id);
        var row = new RwRow(name, parent, DriverName, id, DateTimeOffset.UtcNow);
        try
        {
            _driver.Create(id, parentId);
            if (!_metadata.AddRw(row))
                throw new InvalidOperationException($"rw layer '{name}' exists already; remove it first or choose another name");
        }
        catch
        {
            RemovePendingDriverLayer(DriverName, id);
            throw;
        }
        return ToRw(row);
    }

    public RwLayer? GetRw(string name) => _metadata.GetRw(name) is { } row ? ToRw(row) : null;

    public IReadOnlyList<RwLayer> ListRw() => _metadata.ListRw().Select(ToRw).ToList();

    public string MountRw(string name)
    {
        string id = RwDriverId(name);
        string path = _driver.Mount(id);
        lock (_rwMounts) _rwMounts[name] = _rwMounts.GetValueOrDefault(name) + 1;
        return path;
    }

    public void UnmountRw(string name)
    {
        string id = RwDriverId(name);
        bool mine;
        lock (_rwMounts) mine = _rwMounts.GetValueOrDefault(name) > 0;
        // Mounted through another store instance (a container's monitor mounts in one and releases in the next):
        // adopt that mount, so this release is the last one and really unmounts.
        if (!mine) _driver.Mount(id);
        _driver.Unmount(id);
        lock (_rwMounts)
        {
            if (_rwMounts.GetValueOrDefault(name) <= 1) _rwMounts.Remove(name);
            else _rwMounts[name]--;
        }
    }

    public IReadOnlyList<Change> ChangesRw(string name) => DriverDiffs.Changes(_driver, RwDriverId(name));

    public void DiffRw(string name, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        DriverDiffs.WriteDiff(_driver, RwDriverId(name), output);
    }

    public void RemoveRw(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var row = _metadata.GetRw(name) ?? throw RwNotFound(name);
        if (row.Driver == DriverName)
        {
            int mounts;
            lock (_rwMounts) _rwMounts.Remove(name, out mounts);
            for (int i = 0; i < mounts; i++) _driver.Unmount(row.DriverId);
        }
        row = _metadata.RemoveRw(name) ?? throw RwNotFound(name);
        // A rw layer of another driver is removed through that driver when it works here, else by the next store
        // opened with it (its pending row stays).
        RemovePendingDriverLayer(row.Driver, row.DriverId, throwOnFailure: true);
    }

    /// <summary>
    /// Removes <paramref name="chainId"/> when nothing uses it, then its parents while nothing uses them.
    /// Returns the chain ids removed, top first. Blobs stay in the content store until garbage collection.
    /// </summary>
    public IReadOnlyList<Digest> Release(Digest chainId)
    {
        var removed = new List<Digest>();
        Digest? current = chainId;
        while (current is { } chain && _metadata.GetLayer(chain) is { } layer)
        {
            var copies = _metadata.RemoveLayer(chain);
            if (copies is null) break; // still in use
            removed.Add(chain);
            foreach (var (driver, id) in copies) RemovePendingDriverLayer(driver, id);
            current = layer.Parent;
        }
        return removed;
    }

    /// <summary>Removes the pending driver layers of processes that are gone (a crash mid-register or mid-remove).</summary>
    internal IReadOnlyList<string> RecoverPending()
    {
        var done = new List<string>();
        foreach (var row in _metadata.ListPending())
        {
            if (row.Owner.IsAlive) continue;
            if (RemovePendingDriverLayer(row.Driver, row.DriverId))
                done.Add($"removed half-made driver layer {row.Driver}/{row.DriverId} left by process {row.Owner.Pid}");
        }
        return done;
    }

    /// <summary>The driver layer id of a chain in the current driver, making the copy from the chain's blobs when missing.</summary>
    internal string EnsureDriverLayer(Digest chainId)
    {
        if (_metadata.DriverLayerId(DriverName, chainId) is { } id) return id;
        var layer = RequireLayer(chainId);
        string? parentId = layer.Parent is { } p ? EnsureDriverLayer(p) : null;
        var applied = ApplyBlob(StoredBlobOf(chainId), parentId, layer.DiffId);
        if (_metadata.CommitDriverLayer(DriverName, chainId, applied.DriverId)) return applied.DriverId;
        RemovePendingDriverLayer(DriverName, applied.DriverId);
        return _metadata.DriverLayerId(DriverName, chainId)!;
    }

    private readonly record struct Applied(string DriverId, Digest DiffId, long Size);

    /// <summary>
    /// Applies a blob into a new driver layer on <paramref name="parentDriverId"/>, hashing both the blob (against its
    /// digest) and the tar (the diffID). Any failure removes the driver layer again.
    /// </summary>
    private Applied ApplyBlob(Descriptor blob, string? parentDriverId, Digest? expectedDiffId)
    {
        string id = NewDriverId();
        _metadata.AddPending(DriverName, id);
        try
        {
            _driver.Create(id, parentDriverId);
            Digest diffId;
            ApplyResult result;
            using (var raw = new HashingStream(_content.OpenRead(blob.Digest), blob.Digest.Algorithm))
            {
                using (var tar = new HashingStream(Compression.OpenDecompressed(raw, leaveOpen: true)))
                {
                    result = DriverDiffs.Apply(_driver, id, tar);
                    tar.Drain();
                    diffId = tar.GetDigest();
                }
                raw.Drain();
                var actual = raw.GetDigest();
                if (actual != blob.Digest)
                    throw new DigestMismatchException(
                        $"layer blob {blob.Digest} is corrupt in the content store (its bytes hash to {actual}); nothing was registered (run 'images check --repair' and pull or load the image again)");
            }
            if (expectedDiffId is { } expected && diffId != expected) throw DiffIdMismatch(blob, diffId, expected);
            _driver.Seal(id);
            return new Applied(id, diffId, result.ContentBytes);
        }
        catch
        {
            RemovePendingDriverLayer(DriverName, id);
            throw;
        }
    }

    private Digest DiffIdOf(Descriptor blob)
    {
        using var tar = new HashingStream(Compression.OpenDecompressed(_content.OpenRead(blob.Digest)));
        tar.Drain();
        return tar.GetDigest();
    }

    /// <summary>
    /// Removes a driver layer recorded in <c>pending</c> and then its row. A failure leaves the row for recovery
    /// (and is thrown only when asked: cleanup after another failure must not hide that failure).
    /// </summary>
    private bool RemovePendingDriverLayer(string driverName, string id, bool throwOnFailure = false)
    {
        try
        {
            var driver = DriverNamed(driverName);
            if (driver is null) return false; // that driver cannot be opened here; a store opened with it finishes this
            if (driver.Exists(id)) driver.Remove(id);
            _metadata.RemovePending(driverName, id);
            return true;
        }
        catch (Exception) when (!throwOnFailure)
        {
            return false;
        }
    }

    /// <summary>The current driver, or another one this root holds layers of (opened once, when it works here).</summary>
    private IGraphDriver? DriverNamed(string name)
    {
        if (name == DriverName) return _driver;
        lock (_otherDrivers)
        {
            if (_otherDrivers.TryGetValue(name, out var open)) return open;
            IGraphDriver? driver = null;
            try
            {
                var provider = DriverRegistry.Find(name);
                string home = _paths.DriverHome(name);
                if (provider.Probe(home).Supported) driver = provider.Open(home);
            }
            catch (DriverException) { }
            _otherDrivers[name] = driver;
            return driver;
        }
    }

    /// <summary>The driver this store is open with (for consistency checks).</summary>
    internal IGraphDriver Driver => _driver;

    private Descriptor StoredBlobOf(Digest chainId)
    {
        var blobs = _metadata.LayerBlobs(chainId);
        return blobs.FirstOrDefault(b => _content.Exists(b.Digest))
            ?? throw new InvalidOperationException(
                $"layer {chainId}: none of its blobs ({string.Join(", ", blobs.Select(b => b.Digest))}) is in the content store, so it cannot be read or re-created; pull or load the image again");
    }

    private LayerRow RequireLayer(Digest chainId) =>
        _metadata.GetLayer(chainId) ?? throw new LayerNotFoundException(chainId);

    private string RwDriverId(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var row = _metadata.GetRw(name) ?? throw RwNotFound(name);
        if (row.Driver != DriverName)
            throw new InvalidOperationException(
                $"rw layer '{name}' was made with the {row.Driver} driver, but the store is open with {DriverName}; open the store with --driver {row.Driver}");
        return row.DriverId;
    }

    private static InvalidOperationException RwNotFound(string name) =>
        new($"no such rw layer: '{name}' (its container or build step may have been removed)");

    private static DigestMismatchException DiffIdMismatch(Descriptor blob, Digest actual, Digest expected) =>
        new($"layer blob {blob.Digest} decompresses to diff_id {actual}, but {expected} was expected; nothing was registered (the blob is not the layer the image names: fetch it again)");

    private static string NewDriverId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private Layer ToLayer(LayerRow row) =>
        new(row.ChainId, row.DiffId, row.Parent, row.Size, _metadata.LayerBlobs(row.ChainId), row.Created);

    private static RwLayer ToRw(RwRow row) => new(row.Name, row.Parent, row.Created);

    public void Dispose()
    {
        lock (_otherDrivers)
        {
            foreach (var driver in _otherDrivers.Values) driver?.Dispose();
            _otherDrivers.Clear();
        }
    }
}

/// <summary>A chain id that is not registered.</summary>
public sealed class LayerNotFoundException(Digest chainId)
    : Exception($"layer {chainId} is not registered in the store (pull or load the image that has it)")
{
    public Digest ChainId { get; } = chainId;
}
