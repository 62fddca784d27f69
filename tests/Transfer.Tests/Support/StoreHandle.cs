using Images.Store;
using Images.Drivers.Tests;

namespace Images.Transfer.Tests.Support;

/// <summary>A store on a fresh temp root with the vfs driver, removed with everything in it on dispose.</summary>
public sealed class StoreHandle : IDisposable
{
    private readonly ScratchDirectory _root = new("transfer-store");

    public StoreHandle()
    {
        Store = LocalStore.Open(new StoreOptions { Root = _root.Path, Driver = "vfs" });
    }

    public LocalStore Store { get; }

    /// <summary>Images (id and names) and layers (chain ids) as text, for before/after comparisons.</summary>
    public string Listing() =>
        string.Join('\n',
            Store.Images.List().Select(i => $"image {i.Id} {string.Join(',', i.Tags.Select(t => t.ToString()).Order(StringComparer.Ordinal))}")
                .Concat(Store.Layers.List().Select(l => $"layer {l.ChainId}"))
                .Order(StringComparer.Ordinal));

    public void Dispose()
    {
        Store.Dispose();
        _root.Dispose();
    }
}
