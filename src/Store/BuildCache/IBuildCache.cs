using Images.Core.Digests;

namespace Images.Store.BuildCache;

/// <summary>
/// The build cache: step results by cache key. It lives in the store's metadata, so it survives restarts; an
/// entry pins its layer (prune keeps the layer while the entry exists). Keys are the builder's business: the
/// cache trusts that equal keys mean equal results.
/// </summary>
public interface IBuildCache
{
    /// <summary>The entry under <paramref name="key"/>, whose layer is still registered; null on a miss.</summary>
    BuildCacheEntry? Get(Digest key);

    /// <summary>Records what a step produced; false when its layer is gone (nothing is recorded then).</summary>
    bool Put(Digest key, Digest? layer, string config);

    IReadOnlyList<BuildCacheEntry> List();

    /// <summary>
    /// <c>images builder prune</c>: removes every entry (or those last used before <paramref name="unusedSince"/>),
    /// then releases the layers they pinned that nothing else uses. Returns the entries removed and the layers freed.
    /// </summary>
    BuildCachePruneReport Prune(DateTimeOffset? unusedSince = null);
}

public sealed record BuildCachePruneReport(int EntriesRemoved, IReadOnlyList<Digest> LayersRemoved);
