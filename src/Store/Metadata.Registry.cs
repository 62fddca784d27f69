using Images.Core.Digests;
using Images.Store.Registry;
using Microsoft.Data.Sqlite;

namespace Images.Store;

/// <summary>
/// The registry's metadata: repositories, the blobs each may serve (links to the shared content store, as
/// distribution's <c>_layers/</c> links), its manifests (the bytes are content-store blobs), what each manifest
/// references (children and blobs: GC roots), tags, and referrers (a manifest's <c>subject</c>).
/// </summary>
internal sealed partial class Metadata
{
    private const string RegistrySchema = """
        CREATE TABLE registry_repositories(
            name TEXT PRIMARY KEY,
            created TEXT NOT NULL);
        CREATE TABLE registry_blob_links(
            repository TEXT NOT NULL REFERENCES registry_repositories(name) ON DELETE CASCADE,
            digest TEXT NOT NULL,
            linked TEXT NOT NULL,
            PRIMARY KEY(repository, digest));
        CREATE INDEX registry_blob_links_digest ON registry_blob_links(digest);
        CREATE TABLE registry_manifests(
            repository TEXT NOT NULL REFERENCES registry_repositories(name) ON DELETE CASCADE,
            digest TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            artifact_type TEXT,
            subject TEXT,
            annotations TEXT,
            pushed TEXT NOT NULL,
            PRIMARY KEY(repository, digest));
        CREATE INDEX registry_manifests_subject ON registry_manifests(repository, subject);
        CREATE TABLE registry_manifest_refs(
            repository TEXT NOT NULL,
            manifest TEXT NOT NULL,
            digest TEXT NOT NULL,
            PRIMARY KEY(repository, manifest, digest),
            FOREIGN KEY(repository, manifest) REFERENCES registry_manifests(repository, digest) ON DELETE CASCADE);
        CREATE INDEX registry_manifest_refs_digest ON registry_manifest_refs(digest);
        CREATE TABLE registry_tags(
            repository TEXT NOT NULL,
            tag TEXT NOT NULL,
            digest TEXT NOT NULL,
            updated TEXT NOT NULL,
            PRIMARY KEY(repository, tag),
            FOREIGN KEY(repository, digest) REFERENCES registry_manifests(repository, digest) ON DELETE CASCADE);
        """;

    private const string RegistryManifestColumns = "digest, media_type, size, artifact_type, subject, annotations, pushed";

    // ---- repositories ----

    public bool RegistryRepositoryExists(string repository)
    {
        lock (_gate) return Scalar("SELECT 1 FROM registry_repositories WHERE name = $r", ("$r", repository)) is not null;
    }

    /// <summary>Repository names in order, after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<string> RegistryRepositories(string? after, int limit)
    {
        lock (_gate)
            return Query("SELECT name FROM registry_repositories WHERE name > $a ORDER BY name LIMIT $n",
                r => r.GetString(0), ("$a", after ?? ""), ("$n", limit));
    }

    private void EnsureRepository(string repository, DateTimeOffset now) =>
        Exec("INSERT OR IGNORE INTO registry_repositories(name, created) VALUES($r, $t)", ("$r", repository), ("$t", Format(now)));

    // ---- blob links ----

    /// <summary>Links a stored blob into a repository (creating the repository), or refreshes the link's time.</summary>
    public void LinkRegistryBlob(string repository, Digest digest, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var tx = Begin();
            EnsureRepository(repository, now);
            Exec("""
                INSERT INTO registry_blob_links(repository, digest, linked) VALUES($r, $d, $t)
                ON CONFLICT(repository, digest) DO UPDATE SET linked = excluded.linked
                """, ("$r", repository), ("$d", digest), ("$t", Format(now)));
            tx.Commit();
        }
    }

    /// <summary>When the blob was linked into the repository (or last refreshed), null when it is not linked.</summary>
    public DateTimeOffset? RegistryBlobLinked(string repository, Digest digest)
    {
        lock (_gate)
            return Scalar("SELECT linked FROM registry_blob_links WHERE repository = $r AND digest = $d", ("$r", repository), ("$d", digest))
                is string t ? Parse(t) : null;
    }

    public bool UnlinkRegistryBlob(string repository, Digest digest)
    {
        lock (_gate)
            return Exec("DELETE FROM registry_blob_links WHERE repository = $r AND digest = $d", ("$r", repository), ("$d", digest)) > 0;
    }

    public IReadOnlyList<(string Repository, Digest Digest, DateTimeOffset Linked)> RegistryBlobLinks()
    {
        lock (_gate)
            return Query("SELECT repository, digest, linked FROM registry_blob_links ORDER BY repository, digest",
                r => (r.GetString(0), Digest.Parse(r.GetString(1)), Parse(r.GetString(2))));
    }

    // ---- manifests and tags ----

    /// <summary>
    /// Records a manifest (its bytes already stored), what it references and optionally a tag, in one transaction.
    /// Returns the references that are neither linked blobs nor manifests of the repository; when there are any,
    /// nothing is recorded.
    /// </summary>
    public IReadOnlyList<Digest> PutRegistryManifest(string repository, RepositoryManifest manifest,
        IReadOnlyCollection<Digest> blobs, IReadOnlyCollection<Digest> children, string? tag)
    {
        lock (_gate)
        {
            using var tx = Begin();
            var missing = new List<Digest>();
            foreach (var blob in blobs)
                if (Scalar("SELECT 1 FROM registry_blob_links WHERE repository = $r AND digest = $d", ("$r", repository), ("$d", blob)) is null)
                    missing.Add(blob);
            foreach (var child in children)
                if (Scalar("SELECT 1 FROM registry_manifests WHERE repository = $r AND digest = $d", ("$r", repository), ("$d", child)) is null)
                    missing.Add(child);
            if (missing.Count > 0) return missing;

            EnsureRepository(repository, manifest.Pushed);
            Exec($"""
                INSERT INTO registry_manifests(repository, {RegistryManifestColumns}) VALUES($r, $d, $m, $s, $a, $sub, $ann, $t)
                ON CONFLICT(repository, digest) DO NOTHING
                """,
                ("$r", repository), ("$d", manifest.Digest), ("$m", manifest.MediaType), ("$s", manifest.Size),
                ("$a", manifest.ArtifactType), ("$sub", manifest.Subject?.ToString()),
                ("$ann", manifest.Annotations is null ? null : System.Text.Json.JsonSerializer.Serialize(manifest.Annotations)),
                ("$t", Format(manifest.Pushed)));
            foreach (var reference in blobs.Concat(children).Distinct())
                Exec("INSERT OR IGNORE INTO registry_manifest_refs(repository, manifest, digest) VALUES($r, $m, $d)",
                    ("$r", repository), ("$m", manifest.Digest), ("$d", reference));
            if (tag is not null)
                Exec("""
                    INSERT INTO registry_tags(repository, tag, digest, updated) VALUES($r, $g, $d, $t)
                    ON CONFLICT(repository, tag) DO UPDATE SET digest = excluded.digest, updated = excluded.updated
                    """, ("$r", repository), ("$g", tag), ("$d", manifest.Digest), ("$t", Format(manifest.Pushed)));
            tx.Commit();
            return [];
        }
    }

    public RepositoryManifest? GetRegistryManifest(string repository, Digest digest)
    {
        lock (_gate)
            return Query($"SELECT {RegistryManifestColumns} FROM registry_manifests WHERE repository = $r AND digest = $d",
                ReadRegistryManifest, ("$r", repository), ("$d", digest)).FirstOrDefault();
    }

    public Digest? RegistryTag(string repository, string tag)
    {
        lock (_gate)
            return Scalar("SELECT digest FROM registry_tags WHERE repository = $r AND tag = $g", ("$r", repository), ("$g", tag))
                is string d ? Digest.Parse(d) : null;
    }

    public IReadOnlyList<string> RegistryTags(string repository, string? after, int limit)
    {
        lock (_gate)
            return Query("SELECT tag FROM registry_tags WHERE repository = $r AND tag > $a ORDER BY tag LIMIT $n",
                r => r.GetString(0), ("$r", repository), ("$a", after ?? ""), ("$n", limit));
    }

    /// <summary>Deletes a manifest with its tags and references; false when the repository does not hold it.</summary>
    public bool DeleteRegistryManifest(string repository, Digest digest)
    {
        lock (_gate)
            return Exec("DELETE FROM registry_manifests WHERE repository = $r AND digest = $d", ("$r", repository), ("$d", digest)) > 0;
    }

    public bool DeleteRegistryTag(string repository, string tag)
    {
        lock (_gate)
            return Exec("DELETE FROM registry_tags WHERE repository = $r AND tag = $g", ("$r", repository), ("$g", tag)) > 0;
    }

    /// <summary>Manifests of the repository whose subject is <paramref name="subject"/>, optionally of one artifact type.</summary>
    public IReadOnlyList<RepositoryManifest> RegistryReferrers(string repository, Digest subject, string? artifactType)
    {
        lock (_gate)
            return Query($"""
                SELECT {RegistryManifestColumns} FROM registry_manifests
                WHERE repository = $r AND subject = $s AND ($a IS NULL OR artifact_type = $a) ORDER BY digest
                """, ReadRegistryManifest, ("$r", repository), ("$s", subject), ("$a", artifactType));
    }

    /// <summary>Blobs the registry's manifests hold (the manifests themselves and what they reference): GC roots.</summary>
    public IReadOnlySet<Digest> RegistryManifestBlobs()
    {
        lock (_gate)
            return Query("SELECT digest FROM registry_manifests UNION SELECT digest FROM registry_manifest_refs",
                r => Digest.Parse(r.GetString(0))).ToHashSet();
    }

    /// <summary>Every blob the registry holds: what its manifests hold and every blob a repository links.</summary>
    public IReadOnlySet<Digest> RegistryBlobs()
    {
        lock (_gate)
            return Query("""
                SELECT digest FROM registry_manifests UNION SELECT digest FROM registry_manifest_refs
                UNION SELECT digest FROM registry_blob_links
                """, r => Digest.Parse(r.GetString(0))).ToHashSet();
    }

    private static RepositoryManifest ReadRegistryManifest(SqliteDataReader r) => new(
        Digest.Parse(r.GetString(0)), r.GetString(1), r.GetInt64(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        r.IsDBNull(4) ? null : Digest.Parse(r.GetString(4)),
        r.IsDBNull(5) ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5)),
        Parse(r.GetString(6)));
}
