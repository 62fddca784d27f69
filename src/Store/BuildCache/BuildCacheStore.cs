using Images.Core.Digests;
using Images.Store.Layers;

namespace Images.Store.BuildCache;

/// <summary>The build cache over the store's metadata (see <see cref="IBuildCache"/>).</summary>
internal sealed class BuildCacheStore(Metadata metadata, ILayerStore layers) : IBuildCache
{
    public BuildCacheEntry? Get(Digest key)
    {
        var entry = metadata.GetBuildCache(key, DateTimeOffset.UtcNow);
        // The foreign key keeps the layer registered; its driver copy or blob may still have been lost (a repair):
        // then the entry cannot be trusted to give the step's content, so it counts as a miss.
        if (entry?.Layer is { } layer && layers.Get(layer) is null) return null;
        return entry;
    }

    public bool Put(Digest key, Digest? layer, string config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var now = DateTimeOffset.UtcNow;
        return metadata.PutBuildCache(new BuildCacheEntry(key, layer, config, now, now));
    }

    public IReadOnlyList<BuildCacheEntry> List() => metadata.ListBuildCache();

    public BuildCachePruneReport Prune(DateTimeOffset? unusedSince = null)
    {
        var entries = metadata.ListBuildCache().Where(e => unusedSince is not { } since || e.LastUsed < since).ToList();
        var pinned = metadata.RemoveBuildCache(entries.Select(e => e.Key).ToHashSet());
        var removed = new List<Digest>();
        foreach (var layer in pinned) removed.AddRange(layers.Release(layer));
        return new BuildCachePruneReport(entries.Count, removed);
    }
}
