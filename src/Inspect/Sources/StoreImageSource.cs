using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store;

namespace Images.Inspect.Sources;

/// <summary>An image of the local store: its layers are read from their blobs (never mounted).</summary>
public sealed class StoreImageSource : IImageSource
{
    private readonly LocalStore _store;
    private readonly IReadOnlyList<Digest> _chainIds;

    public StoreImageSource(LocalStore store, string reference)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        _store = store;
        var image = store.Images.Resolve(reference);
        Config = store.Images.ReadConfig(image).Config;
        _chainIds = ChainId.All(Config.RootFs.DiffIds);
        Name = reference;
    }

    public string Name { get; }
    public ImageConfig Config { get; }
    public int LayerCount => _chainIds.Count;

    public Stream OpenLayer(int index) => _store.Layers.OpenDiff(_chainIds[index]);

    public void Dispose()
    {
        // The store belongs to the caller.
    }
}
