using Images.Core.Digests;

namespace Images.Store;

/// <summary>Which registry repositories are known to hold a blob (the registry client's cross-repo mount hints).</summary>
internal sealed partial class Metadata
{
    // Appended to Migrations by the integrator's ordering; see the Migrations array.
    internal const string BlobSourcesSchema =
        """
        CREATE TABLE IF NOT EXISTS blob_sources(
            digest TEXT NOT NULL,
            registry TEXT NOT NULL,
            repository TEXT NOT NULL,
            seen TEXT NOT NULL,
            PRIMARY KEY(digest, registry, repository));
        """;

    public void RecordBlobSource(Digest digest, string registry, string repository, DateTimeOffset seen)
    {
        lock (_gate)
            Exec("INSERT INTO blob_sources(digest, registry, repository, seen) VALUES($d, $r, $p, $s) " +
                 "ON CONFLICT(digest, registry, repository) DO UPDATE SET seen = excluded.seen",
                ("$d", digest), ("$r", registry), ("$p", repository), ("$s", seen.ToString("O")));
    }

    public void ForgetBlobSource(Digest digest, string registry, string repository)
    {
        lock (_gate)
            Exec("DELETE FROM blob_sources WHERE digest = $d AND registry = $r AND repository = $p",
                ("$d", digest), ("$r", registry), ("$p", repository));
    }

    public List<string> BlobSourceRepositories(Digest digest, string registry)
    {
        lock (_gate)
            return Query("SELECT repository FROM blob_sources WHERE digest = $d AND registry = $r ORDER BY seen DESC, repository",
                r => r.GetString(0), ("$d", digest), ("$r", registry));
    }
}
