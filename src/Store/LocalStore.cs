using Images.Drivers;
using Images.Platform;
using Images.Store.Catalog;
using Images.Store.Content;
using Images.Store.Distribution;
using Images.Store.Layers;
using Images.Store.Registry;

namespace Images.Store;

/// <summary>
/// The local image store: content (blobs), layers (through a graph driver) and images, under one root
/// (see <see cref="StorePaths"/> for the layout). Several processes may open the same root at once.
/// </summary>
public sealed class LocalStore : IDisposable
{
    private readonly Metadata _metadata;
    private readonly ContentStore _content;
    private readonly LayerStore _layers;
    private readonly ImageStore _images;
    private readonly RegistryStore _registry;
    private int _writeLeases;
    private bool _disposed;

    private LocalStore(StorePaths paths, Metadata metadata, IDriverProvider provider, IGraphDriver driver)
    {
        Paths = paths;
        _metadata = metadata;
        DriverProvider = provider;
        Driver = driver;
        _content = new ContentStore(paths);
        _layers = new LayerStore(metadata, _content, driver, paths);
        _images = new ImageStore(metadata, _content, _layers);
        BlobSources = new BlobSources(metadata);
        _registry = new RegistryStore(paths, metadata, _content, EnterWrite);
    }

    /// <summary>
    /// Opens (creating when needed) the store at <see cref="StoreOptions.Root"/> with the chosen driver, then recovers
    /// from crashed writers: deletes ingest files no writer holds and driver layers left half-made or half-removed
    /// by processes that are gone.
    /// </summary>
    public static LocalStore Open(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var paths = new StorePaths(options.Root);
        paths.CreateDirectories();
        var metadata = new Metadata(paths.Metadata);
        LocalStore? store = null;
        try
        {
            var (provider, driver) = DriverRegistry.Open(paths.Root, options.Driver);
            store = new LocalStore(paths, metadata, provider, driver);
            store.Recovered = store.Recover();
            return store;
        }
        catch
        {
            if (store is not null) store.Dispose();
            else metadata.Dispose();
            throw;
        }
    }

    public string Root => Paths.Root;
    internal StorePaths Paths { get; }
    public IContentStore Content => _content;
    public ILayerStore Layers => _layers;
    public IImageStore Images => _images;
    /// <summary>Which registry repositories hold which blobs (the registry client's mount hints).</summary>
    public IBlobSources BlobSources { get; }
    /// <summary>What a registry served from this store keeps: repositories, blob links, manifests, tags, uploads.</summary>
    public IRegistryStore Registry => _registry;
    public IGraphDriver Driver { get; }
    public IDriverProvider DriverProvider { get; }

    /// <summary>What recovery on open cleaned up, one line per thing.</summary>
    public IReadOnlyList<string> Recovered { get; private set; } = [];

    internal Metadata Metadata => _metadata;

    /// <summary>
    /// A shared lease held while content is added (load, pull, build): garbage collection takes the lease exclusive,
    /// so it never sees blobs or layers that are written but not yet referenced. <see cref="Prune"/> and
    /// <see cref="Check"/> on this instance refuse while one of its leases is held (they would wait for it forever).
    /// </summary>
    public IDisposable EnterWrite()
    {
        var held = FileLock.Acquire(Paths.Lock, exclusive: false);
        Interlocked.Increment(ref _writeLeases);
        return new Lease(this, held);
    }

    private sealed class Lease(LocalStore store, FileLock held) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            held.Dispose();
            Interlocked.Decrement(ref store._writeLeases);
        }
    }

    /// <summary>The exclusive lease of garbage collection and check; waits for other processes' write leases.</summary>
    private FileLock EnterExclusive(string operation)
    {
        if (Volatile.Read(ref _writeLeases) > 0)
            throw new InvalidOperationException(
                $"cannot {operation} while this store instance holds a write lease (EnterWrite): dispose the lease first");
        return FileLock.Acquire(Paths.Lock, exclusive: true);
    }

    /// <summary>
    /// Removes dangling (untagged) images, or with <paramref name="all"/> every image, that no rw layer or mount uses;
    /// then every layer nothing uses, then every blob nothing references.
    /// </summary>
    public PruneReport Prune(bool all = false)
    {
        using var lease = EnterExclusive("prune");
        return new GarbageCollector(_metadata, _content, _layers, _images).Run(all);
    }

    /// <summary>Verifies every blob, image and layer; with <paramref name="repair"/> removes what is broken or unreferenced.</summary>
    public CheckReport Check(bool repair)
    {
        using var lease = EnterExclusive("check");
        return new ConsistencyChecker(_metadata, _content, _layers, _images).Run(repair);
    }

    /// <summary>
    /// Registry garbage collection (<see cref="RegistryGarbageCollector"/>): safe while a server pushes into this
    /// store, as blobs younger than <paramref name="grace"/> are kept. Waits for write leases of other requests and
    /// processes (a server's scheduled run holds none itself, unlike <see cref="Prune"/>'s callers' check).
    /// </summary>
    public RegistryGcReport CollectRegistryGarbage(TimeSpan grace, bool dryRun = false)
    {
        using var lease = FileLock.Acquire(Paths.Lock, exclusive: true);
        return new RegistryGarbageCollector(_metadata, _content, _images, _registry.Uploads).Run(grace, dryRun);
    }

    private IReadOnlyList<string> Recover()
    {
        var done = new List<string>();
        int stale = _content.RemoveStaleIngests();
        if (stale > 0) done.Add($"deleted {stale} unfinished ingest file(s) of writers that are gone");
        done.AddRange(_layers.RecoverPending());
        return done;
    }

    /// <summary>Unmounts every layer the driver has mounted (for shutting a store down for good, e.g. in tests).</summary>
    public void Cleanup() => Driver.Cleanup();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _layers.Dispose();
        // The driver is deliberately not disposed: disposing unmounts what it mounted, and mounts held in the
        // metadata (`images mount`, a container's rootfs) must outlive this process. Transient mounts are
        // released by their users; `LocalStore.Cleanup` unmounts everything on purpose.
        _metadata.Dispose();
    }
}

/// <summary>What <see cref="LocalStore.Prune"/> removed; <see cref="BytesFreed"/> is the size of the blobs deleted (driver copies of layers are derived from them).</summary>
public sealed record PruneReport(
    IReadOnlyList<Core.Digests.Digest> ImagesRemoved,
    IReadOnlyList<Core.Digests.Digest> LayersRemoved,
    IReadOnlyList<Core.Digests.Digest> BlobsRemoved,
    long BytesFreed);

/// <summary>What <see cref="LocalStore.Check"/> found (one line per problem, naming the object and the fix) and repaired.</summary>
public sealed record CheckReport(IReadOnlyList<string> Problems, IReadOnlyList<string> Repaired)
{
    /// <summary>Things GC will collect (blobs nothing references); they do not make the store inconsistent.</summary>
    public IReadOnlyList<string> Garbage { get; init; } = [];

    public bool Consistent => Problems.Count == 0;
}
