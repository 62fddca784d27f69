using Images.Core.Digests;
using Images.Store.BuildCache;

namespace Images.Store;

internal sealed partial class Metadata
{
    /// <summary>
    /// The build cache: one row per build step result, keyed by the step's cache key. <c>layer</c> references the
    /// layer the step produced, so a cached layer counts as used (prune keeps it) until the entry goes.
    /// </summary>
    private const string BuildCacheSchema = """
        CREATE TABLE build_cache(
            key TEXT PRIMARY KEY,
            layer TEXT REFERENCES layers(chain_id),
            config TEXT NOT NULL,
            created TEXT NOT NULL,
            last_used TEXT NOT NULL);
        CREATE INDEX build_cache_layer ON build_cache(layer);
        """;

    public BuildCacheEntry? GetBuildCache(Digest key, DateTimeOffset now)
    {
        lock (_gate)
        {
            var entry = Query("SELECT key, layer, config, created, last_used FROM build_cache WHERE key = $k", ReadBuildCache, ("$k", key)).FirstOrDefault();
            if (entry is not null) Exec("UPDATE build_cache SET last_used = $t WHERE key = $k", ("$t", Format(now)), ("$k", key));
            return entry;
        }
    }

    /// <summary>Records (or replaces) an entry; false when its layer is not registered (removed meanwhile).</summary>
    public bool PutBuildCache(BuildCacheEntry entry)
    {
        lock (_gate)
        {
            using var tx = Begin();
            if (entry.Layer is { } layer && Scalar("SELECT 1 FROM layers WHERE chain_id = $c", ("$c", layer)) is null) return false;
            Exec("""
                 INSERT OR REPLACE INTO build_cache(key, layer, config, created, last_used) VALUES($k, $l, $c, $t, $u)
                 """,
                ("$k", entry.Key), ("$l", entry.Layer), ("$c", entry.Config), ("$t", Format(entry.Created)), ("$u", Format(entry.LastUsed)));
            tx.Commit();
            return true;
        }
    }

    public IReadOnlyList<BuildCacheEntry> ListBuildCache()
    {
        lock (_gate) return Query("SELECT key, layer, config, created, last_used FROM build_cache ORDER BY last_used, key", ReadBuildCache);
    }

    /// <summary>Deletes the given entries (all when null) and returns the layers they pinned.</summary>
    public IReadOnlyList<Digest> RemoveBuildCache(IReadOnlyCollection<Digest>? keys)
    {
        lock (_gate)
        {
            using var tx = Begin();
            var rows = Query("SELECT key, layer, config, created, last_used FROM build_cache", ReadBuildCache)
                .Where(e => keys is null || keys.Contains(e.Key)).ToList();
            foreach (var row in rows) Exec("DELETE FROM build_cache WHERE key = $k", ("$k", row.Key));
            tx.Commit();
            return rows.Where(r => r.Layer is not null).Select(r => r.Layer!.Value).Distinct().ToList();
        }
    }

    private static BuildCacheEntry ReadBuildCache(Microsoft.Data.Sqlite.SqliteDataReader r) => new(
        Digest.Parse(r.GetString(0)),
        r.IsDBNull(1) ? null : Digest.Parse(r.GetString(1)),
        r.GetString(2),
        Parse(r.GetString(3)),
        Parse(r.GetString(4)));
}
