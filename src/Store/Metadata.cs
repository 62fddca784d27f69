using System.Globalization;
using Images.Core.Digests;
using Images.Core.Oci;
using Microsoft.Data.Sqlite;

namespace Images.Store;

/// <summary>
/// The store's metadata database: owns the schema, its migrations (PRAGMA user_version) and every SQL statement;
/// nothing else touches the file. One connection per store instance, serialized by a lock; other processes
/// share the file through SQLite's own locking (WAL, busy timeout). Write transactions are BEGIN IMMEDIATE so
/// that two writers queue instead of failing on a lock upgrade.
/// Blobs have no rows: a blob exists when its file exists in the content store.
/// Reference counts are never stored: they are derived from the relations (children, image tops, rw layers, mounts),
/// and foreign keys make the database itself refuse to drop a layer something still points at.
/// </summary>
internal sealed partial class Metadata : IDisposable
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE layers(
            chain_id TEXT PRIMARY KEY,
            diff_id TEXT NOT NULL,
            parent TEXT REFERENCES layers(chain_id),
            size INTEGER NOT NULL,
            created TEXT NOT NULL);
        CREATE INDEX layers_parent ON layers(parent);
        CREATE TABLE layer_blobs(
            chain_id TEXT NOT NULL REFERENCES layers(chain_id) ON DELETE CASCADE,
            digest TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY(chain_id, digest));
        CREATE INDEX layer_blobs_digest ON layer_blobs(digest);
        CREATE TABLE driver_layers(
            driver TEXT NOT NULL,
            chain_id TEXT NOT NULL REFERENCES layers(chain_id) ON DELETE CASCADE,
            driver_id TEXT NOT NULL,
            PRIMARY KEY(driver, chain_id));
        CREATE TABLE rw_layers(
            name TEXT PRIMARY KEY,
            parent TEXT REFERENCES layers(chain_id),
            driver TEXT NOT NULL,
            driver_id TEXT NOT NULL,
            created TEXT NOT NULL);
        CREATE INDEX rw_layers_parent ON rw_layers(parent);
        CREATE TABLE mounts(
            chain_id TEXT NOT NULL REFERENCES layers(chain_id),
            holder TEXT NOT NULL,
            path TEXT NOT NULL,
            PRIMARY KEY(chain_id, holder));
        CREATE TABLE pending(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            driver TEXT NOT NULL,
            driver_id TEXT NOT NULL,
            pid INTEGER NOT NULL,
            start_time TEXT NOT NULL,
            UNIQUE(driver, driver_id));
        CREATE TABLE images(
            id TEXT PRIMARY KEY,
            manifest_digest TEXT NOT NULL,
            manifest_media_type TEXT NOT NULL,
            manifest_size INTEGER NOT NULL,
            top_layer TEXT REFERENCES layers(chain_id),
            created TEXT,
            added TEXT NOT NULL);
        CREATE INDEX images_top_layer ON images(top_layer);
        CREATE TABLE image_manifests(
            manifest_digest TEXT PRIMARY KEY,
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL);
        CREATE INDEX image_manifests_image ON image_manifests(image_id);
        CREATE TABLE tags(
            name TEXT PRIMARY KEY,
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);
        CREATE INDEX tags_image ON tags(image_id);
        """,
        RegistrySchema,
        BlobSourcesSchema,
    ];

    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private SqliteTransaction? _tx;

    public Metadata(string path)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = false,
            DefaultTimeout = 60,
        };
        _db = new SqliteConnection(builder.ToString());
        try
        {
            _db.Open();
            Exec("PRAGMA busy_timeout = 60000");
            Exec("PRAGMA journal_mode = WAL");
            Exec("PRAGMA synchronous = FULL");
            Migrate();
        }
        catch (Exception e)
        {
            _db.Dispose();
            if (e is not SqliteException) throw;
            throw new InvalidOperationException(
                $"cannot open the store metadata {path}: {e.Message} (is the file damaged? move it aside to start an empty store)", e);
        }
    }

    public void Dispose() => _db.Dispose();

    private void Migrate()
    {
        using var tx = Begin();
        long version = (long)Scalar("PRAGMA user_version")!;
        if (version > Migrations.Length)
            throw new InvalidOperationException(
                $"the store metadata has schema version {version}, newer than this program knows ({Migrations.Length}): use a newer version of images");
        for (long v = version; v < Migrations.Length; v++) Exec(Migrations[v]);
        Exec($"PRAGMA user_version = {Migrations.Length}");
        tx.Commit();
    }

    // ---- layers ----

    public LayerRow? GetLayer(Digest chainId)
    {
        lock (_gate)
            return Query("SELECT chain_id, diff_id, parent, size, created FROM layers WHERE chain_id = $c", ReadLayer, ("$c", chainId)).FirstOrDefault();
    }

    public IReadOnlyList<LayerRow> ListLayers()
    {
        lock (_gate) return Query("SELECT chain_id, diff_id, parent, size, created FROM layers ORDER BY created, chain_id", ReadLayer);
    }

    public IReadOnlyList<Descriptor> LayerBlobs(Digest chainId)
    {
        lock (_gate)
            return Query("SELECT media_type, digest, size FROM layer_blobs WHERE chain_id = $c ORDER BY seq", ReadDescriptor, ("$c", chainId));
    }

    /// <summary>The layer on <paramref name="parent"/> that was registered from <paramref name="blob"/>, if any.</summary>
    public Digest? LayerFromBlob(Digest? parent, Digest blob)
    {
        lock (_gate)
            return Scalar(
                "SELECT l.chain_id FROM layer_blobs b JOIN layers l ON l.chain_id = b.chain_id WHERE b.digest = $d AND l.parent IS $p",
                ("$d", blob), ("$p", parent)) is string s ? Digest.Parse(s) : null;
    }

    public bool HasLayerBlob(Digest chainId, Digest blob)
    {
        lock (_gate)
            return Scalar("SELECT 1 FROM layer_blobs WHERE chain_id = $c AND digest = $d", ("$c", chainId), ("$d", blob)) is not null;
    }

    public void AddLayerBlob(Digest chainId, Descriptor blob)
    {
        lock (_gate) InsertLayerBlob(chainId, blob);
    }

    private void InsertLayerBlob(Digest chainId, Descriptor blob) =>
        Exec("""
             INSERT OR IGNORE INTO layer_blobs(chain_id, digest, media_type, size, seq)
             VALUES($c, $d, $m, $s, (SELECT COALESCE(MAX(seq), 0) + 1 FROM layer_blobs WHERE chain_id = $c))
             """,
            ("$c", chainId), ("$d", blob.Digest), ("$m", blob.MediaType), ("$s", blob.Size));

    public void DeleteLayerBlob(Digest chainId, Digest blob)
    {
        lock (_gate) Exec("DELETE FROM layer_blobs WHERE chain_id = $c AND digest = $d", ("$c", chainId), ("$d", blob));
    }

    /// <summary>Rows that break a foreign key, as "table rowid -> parent table" lines (none in a healthy database).</summary>
    public IReadOnlyList<string> ForeignKeyViolations()
    {
        lock (_gate)
            return Query("PRAGMA foreign_key_check", r => $"{r.GetString(0)} row {r.GetValue(1)} points at a missing {r.GetString(2)} row");
    }

    public string? DriverLayerId(string driver, Digest chainId)
    {
        lock (_gate)
            return (string?)Scalar("SELECT driver_id FROM driver_layers WHERE driver = $d AND chain_id = $c", ("$d", driver), ("$c", chainId));
    }

    public IReadOnlyList<(string Driver, Digest ChainId, string DriverId)> ListDriverLayers()
    {
        lock (_gate)
            return Query("SELECT driver, chain_id, driver_id FROM driver_layers ORDER BY driver, chain_id",
                r => (r.GetString(0), Digest.Parse(r.GetString(1)), r.GetString(2)));
    }

    public void DeleteDriverLayer(string driver, Digest chainId)
    {
        lock (_gate) Exec("DELETE FROM driver_layers WHERE driver = $d AND chain_id = $c", ("$d", driver), ("$c", chainId));
    }

    /// <summary>
    /// Makes a layer applied under <paramref name="driverId"/> visible in one transaction: the layer row (unless the
    /// chain exists), its blob, and the driver copy (unless the chain already has one in this driver). Returns false
    /// when the driver copy was not needed; its pending row then stays for the caller to remove it.
    /// </summary>
    public bool CommitLayer(LayerRow layer, Descriptor blob, string driver, string driverId)
    {
        lock (_gate)
        {
            using var tx = Begin();
            Exec("INSERT OR IGNORE INTO layers(chain_id, diff_id, parent, size, created) VALUES($c, $d, $p, $s, $t)",
                ("$c", layer.ChainId), ("$d", layer.DiffId), ("$p", layer.Parent), ("$s", layer.Size), ("$t", Format(layer.Created)));
            InsertLayerBlob(layer.ChainId, blob);
            bool used = InsertDriverLayer(driver, layer.ChainId, driverId);
            tx.Commit();
            return used;
        }
    }

    /// <summary>Records a re-created driver copy of an existing layer; false when another writer recorded one first.</summary>
    public bool CommitDriverLayer(string driver, Digest chainId, string driverId)
    {
        lock (_gate)
        {
            using var tx = Begin();
            bool used = InsertDriverLayer(driver, chainId, driverId);
            tx.Commit();
            return used;
        }
    }

    private bool InsertDriverLayer(string driver, Digest chainId, string driverId)
    {
        if (Scalar("SELECT 1 FROM driver_layers WHERE driver = $d AND chain_id = $c", ("$d", driver), ("$c", chainId)) is not null)
            return false;
        Exec("INSERT INTO driver_layers(driver, chain_id, driver_id) VALUES($d, $c, $i)", ("$d", driver), ("$c", chainId), ("$i", driverId));
        Exec("DELETE FROM pending WHERE driver = $d AND driver_id = $i", ("$d", driver), ("$i", driverId));
        return true;
    }

    private const string LayerReferencesSql = """
        (SELECT COUNT(*) FROM layers WHERE parent = $c)
        + (SELECT COUNT(*) FROM images WHERE top_layer = $c)
        + (SELECT COUNT(*) FROM rw_layers WHERE parent = $c)
        + (SELECT COUNT(*) FROM mounts WHERE chain_id = $c)
        """;

    /// <summary>How many things use a layer: child layers, images on top of it, rw layers on it, mount holders.</summary>
    public int LayerReferences(Digest chainId)
    {
        lock (_gate) return (int)(long)Scalar("SELECT " + LayerReferencesSql, ("$c", chainId))!;
    }

    /// <summary>Layers nothing uses (no child, no image top, no rw layer, no mount).</summary>
    public IReadOnlyList<Digest> UnusedLayers()
    {
        lock (_gate)
            return Query("""
                SELECT chain_id FROM layers l
                WHERE NOT EXISTS (SELECT 1 FROM layers c WHERE c.parent = l.chain_id)
                  AND NOT EXISTS (SELECT 1 FROM images i WHERE i.top_layer = l.chain_id)
                  AND NOT EXISTS (SELECT 1 FROM rw_layers r WHERE r.parent = l.chain_id)
                  AND NOT EXISTS (SELECT 1 FROM mounts m WHERE m.chain_id = l.chain_id)
                ORDER BY chain_id
                """, r => Digest.Parse(r.GetString(0)));
    }

    /// <summary>
    /// Removes a layer record when nothing uses it, moving its driver copies to <c>pending</c> (owned by this process)
    /// for the caller to remove. Returns null when the layer is in use or unknown.
    /// </summary>
    public IReadOnlyList<(string Driver, string DriverId)>? RemoveLayer(Digest chainId)
    {
        lock (_gate)
        {
            using var tx = Begin();
            if (Scalar("SELECT 1 FROM layers WHERE chain_id = $c", ("$c", chainId)) is null) return null;
            if ((long)Scalar("SELECT " + LayerReferencesSql, ("$c", chainId))! != 0) return null;
            var copies = Query("SELECT driver, driver_id FROM driver_layers WHERE chain_id = $c", r => (r.GetString(0), r.GetString(1)), ("$c", chainId));
            foreach (var (driver, id) in copies) InsertPending(driver, id);
            Exec("DELETE FROM layers WHERE chain_id = $c", ("$c", chainId));
            tx.Commit();
            return copies;
        }
    }

    // ---- pending driver layers (being made, or being removed) ----

    /// <summary>Records a driver layer about to be made or removed, owned by <paramref name="owner"/> (this process by default).</summary>
    public void AddPending(string driver, string driverId, ProcessIdentity? owner = null)
    {
        lock (_gate) InsertPending(driver, driverId, owner);
    }

    private void InsertPending(string driver, string driverId, ProcessIdentity? owner = null)
    {
        var me = owner ?? ProcessIdentity.Current;
        Exec("INSERT OR REPLACE INTO pending(driver, driver_id, pid, start_time) VALUES($d, $i, $p, $t)",
            ("$d", driver), ("$i", driverId), ("$p", me.Pid), ("$t", me.StartTime));
    }

    /// <summary>Pending rows, newest first (children before the parents they were made on).</summary>
    public IReadOnlyList<PendingRow> ListPending()
    {
        lock (_gate)
            return Query("SELECT driver, driver_id, pid, start_time FROM pending ORDER BY seq DESC",
                r => new PendingRow(r.GetString(0), r.GetString(1), new ProcessIdentity(r.GetInt32(2), r.GetString(3))));
    }

    public void RemovePending(string driver, string driverId)
    {
        lock (_gate) Exec("DELETE FROM pending WHERE driver = $d AND driver_id = $i", ("$d", driver), ("$i", driverId));
    }

    // ---- mounts ----

    /// <summary>
    /// Adds <paramref name="holder"/> to a layer's mount holders; the first holder calls <paramref name="mount"/>
    /// (inside the transaction, so two processes cannot both mount) and later ones get the recorded path.
    /// </summary>
    public string AddMount(Digest chainId, string holder, Func<string> mount)
    {
        lock (_gate)
        {
            using var tx = Begin();
            var existing = Query("SELECT holder, path FROM mounts WHERE chain_id = $c", r => (Holder: r.GetString(0), Path: r.GetString(1)), ("$c", chainId));
            string path;
            if (existing.Count == 0) path = mount();
            else path = existing[0].Path;
            Exec("INSERT OR IGNORE INTO mounts(chain_id, holder, path) VALUES($c, $h, $p)", ("$c", chainId), ("$h", holder), ("$p", path));
            tx.Commit();
            return path;
        }
    }

    /// <summary>Removes a holder; the last one calls <paramref name="unmount"/>. False when the holder held no mount.</summary>
    public bool RemoveMount(Digest chainId, string holder, Action unmount)
    {
        lock (_gate)
        {
            using var tx = Begin();
            if (Exec("DELETE FROM mounts WHERE chain_id = $c AND holder = $h", ("$c", chainId), ("$h", holder)) == 0) return false;
            if (Scalar("SELECT 1 FROM mounts WHERE chain_id = $c", ("$c", chainId)) is null) unmount();
            tx.Commit();
            return true;
        }
    }

    public IReadOnlyList<(Digest ChainId, string Holder)> ListMounts()
    {
        lock (_gate)
            return Query("SELECT chain_id, holder FROM mounts ORDER BY chain_id, holder", r => (Digest.Parse(r.GetString(0)), r.GetString(1)));
    }

    // ---- rw layers ----

    /// <summary>Records a rw layer whose driver layer exists; false when the name is taken (the pending row stays).</summary>
    public bool AddRw(RwRow row)
    {
        lock (_gate)
        {
            using var tx = Begin();
            if (Scalar("SELECT 1 FROM rw_layers WHERE name = $n", ("$n", row.Name)) is not null) return false;
            Exec("INSERT INTO rw_layers(name, parent, driver, driver_id, created) VALUES($n, $p, $d, $i, $t)",
                ("$n", row.Name), ("$p", row.Parent), ("$d", row.Driver), ("$i", row.DriverId), ("$t", Format(row.Created)));
            Exec("DELETE FROM pending WHERE driver = $d AND driver_id = $i", ("$d", row.Driver), ("$i", row.DriverId));
            tx.Commit();
            return true;
        }
    }

    public RwRow? GetRw(string name)
    {
        lock (_gate)
            return Query("SELECT name, parent, driver, driver_id, created FROM rw_layers WHERE name = $n", ReadRw, ("$n", name)).FirstOrDefault();
    }

    public IReadOnlyList<RwRow> ListRw()
    {
        lock (_gate) return Query("SELECT name, parent, driver, driver_id, created FROM rw_layers ORDER BY name", ReadRw);
    }

    /// <summary>Drops a rw layer's record, moving its driver layer to <c>pending</c> for the caller to remove.</summary>
    public RwRow? RemoveRw(string name)
    {
        lock (_gate)
        {
            using var tx = Begin();
            var row = Query("SELECT name, parent, driver, driver_id, created FROM rw_layers WHERE name = $n", ReadRw, ("$n", name)).FirstOrDefault();
            if (row is null) return null;
            InsertPending(row.Driver, row.DriverId);
            Exec("DELETE FROM rw_layers WHERE name = $n", ("$n", name));
            tx.Commit();
            return row;
        }
    }

    // ---- images ----

    private const string ImageColumns = "id, manifest_digest, manifest_media_type, manifest_size, top_layer, created, added";

    public ImageRow? GetImage(Digest id)
    {
        lock (_gate) return Query($"SELECT {ImageColumns} FROM images WHERE id = $i", ReadImage, ("$i", id)).FirstOrDefault();
    }

    public IReadOnlyList<ImageRow> ListImages()
    {
        lock (_gate) return Query($"SELECT {ImageColumns} FROM images ORDER BY added DESC, id", ReadImage);
    }

    /// <summary>Images whose id (<c>alg:hex</c>) starts with <paramref name="idPrefix"/>.</summary>
    public IReadOnlyList<Digest> ImagesWithIdPrefix(string idPrefix)
    {
        lock (_gate)
            return Query("SELECT id FROM images WHERE substr(id, 1, length($p)) = $p ORDER BY id", r => Digest.Parse(r.GetString(0)), ("$p", idPrefix));
    }

    public Digest? ImageByManifest(Digest manifestDigest)
    {
        lock (_gate)
            return Scalar("SELECT image_id FROM image_manifests WHERE manifest_digest = $m", ("$m", manifestDigest)) is string s ? Digest.Parse(s) : null;
    }

    public Digest? ImageByTag(string name)
    {
        lock (_gate)
            return Scalar("SELECT image_id FROM tags WHERE name = $n", ("$n", name)) is string s ? Digest.Parse(s) : null;
    }

    public IReadOnlyList<string> TagsOf(Digest imageId)
    {
        lock (_gate) return Query("SELECT name FROM tags WHERE image_id = $i ORDER BY name", r => r.GetString(0), ("$i", imageId));
    }

    public IReadOnlyList<Descriptor> ManifestsOf(Digest imageId)
    {
        lock (_gate)
            return Query("SELECT media_type, manifest_digest, size FROM image_manifests WHERE image_id = $i ORDER BY manifest_digest",
                ReadDescriptor, ("$i", imageId));
    }

    /// <summary>Records an image (or, when it is known, just one more manifest of it). Returns true when the image is new.</summary>
    public bool AddImage(ImageRow image)
    {
        lock (_gate)
        {
            using var tx = Begin();
            int added = Exec($"""
                INSERT OR IGNORE INTO images({ImageColumns}) VALUES($i, $m, $mt, $ms, $t, $c, $a)
                """,
                ("$i", image.Id), ("$m", image.ManifestDigest), ("$mt", image.ManifestMediaType), ("$ms", image.ManifestSize),
                ("$t", image.TopLayer), ("$c", image.Created is { } c ? Format(c) : null), ("$a", Format(image.Added)));
            Exec("INSERT OR IGNORE INTO image_manifests(manifest_digest, image_id, media_type, size) VALUES($m, $i, $mt, $ms)",
                ("$i", image.Id), ("$m", image.ManifestDigest), ("$mt", image.ManifestMediaType), ("$ms", image.ManifestSize));
            tx.Commit();
            return added == 1;
        }
    }

    /// <summary>Points <paramref name="name"/> at an image; returns the image it pointed at before, if another.</summary>
    public Digest? SetTag(string name, Digest imageId)
    {
        lock (_gate)
        {
            using var tx = Begin();
            var before = Scalar("SELECT image_id FROM tags WHERE name = $n", ("$n", name)) as string;
            Exec("INSERT INTO tags(name, image_id) VALUES($n, $i) ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id",
                ("$n", name), ("$i", imageId));
            tx.Commit();
            return before is null || before == imageId.ToString() ? null : Digest.Parse(before);
        }
    }

    public bool RemoveTag(string name)
    {
        lock (_gate) return Exec("DELETE FROM tags WHERE name = $n", ("$n", name)) == 1;
    }

    /// <summary>Deletes an image with its tags and manifest records; false when it was not there.</summary>
    public bool DeleteImage(Digest id)
    {
        lock (_gate) return Exec("DELETE FROM images WHERE id = $i", ("$i", id)) == 1;
    }

    /// <summary>Names of rw layers made on <paramref name="chainId"/> (containers using an image with that top layer).</summary>
    public IReadOnlyList<string> RwLayersOn(Digest chainId)
    {
        lock (_gate) return Query("SELECT name FROM rw_layers WHERE parent = $c ORDER BY name", r => r.GetString(0), ("$c", chainId));
    }

    /// <summary>Every blob the metadata names: image configs and manifests, and the blobs layers came from.</summary>
    public IReadOnlySet<Digest> ReferencedBlobs()
    {
        lock (_gate)
        {
            return Query("""
                SELECT id FROM images UNION SELECT manifest_digest FROM images
                UNION SELECT manifest_digest FROM image_manifests UNION SELECT digest FROM layer_blobs
                """, r => Digest.Parse(r.GetString(0))).ToHashSet();
        }
    }

    // ---- plumbing ----

    private static LayerRow ReadLayer(SqliteDataReader r) => new(
        Digest.Parse(r.GetString(0)), Digest.Parse(r.GetString(1)), r.IsDBNull(2) ? null : Digest.Parse(r.GetString(2)),
        r.GetInt64(3), Parse(r.GetString(4)));

    private static RwRow ReadRw(SqliteDataReader r) => new(
        r.GetString(0), r.IsDBNull(1) ? null : Digest.Parse(r.GetString(1)), r.GetString(2), r.GetString(3), Parse(r.GetString(4)));

    private static ImageRow ReadImage(SqliteDataReader r) => new(
        Digest.Parse(r.GetString(0)), Digest.Parse(r.GetString(1)), r.GetString(2), r.GetInt64(3),
        r.IsDBNull(4) ? null : Digest.Parse(r.GetString(4)), r.IsDBNull(5) ? null : Parse(r.GetString(5)), Parse(r.GetString(6)));

    private static Descriptor ReadDescriptor(SqliteDataReader r) => new()
    {
        MediaType = r.GetString(0),
        Digest = Digest.Parse(r.GetString(1)),
        Size = r.GetInt64(2),
    };

    private static string Format(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>Begins a write transaction (BEGIN IMMEDIATE) that every command runs in until it is disposed.</summary>
    private Transaction Begin() => new(this, _db.BeginTransaction(deferred: false));

    private sealed class Transaction : IDisposable
    {
        private readonly Metadata _owner;
        private readonly SqliteTransaction _tx;

        public Transaction(Metadata owner, SqliteTransaction tx)
        {
            _owner = owner;
            _tx = tx;
            owner._tx = tx;
        }

        public void Commit() => _tx.Commit();

        public void Dispose()
        {
            _owner._tx = null;
            _tx.Dispose();
        }
    }

    private SqliteCommand Command(string sql, (string Name, object? Value)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.Transaction = _tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
            cmd.Parameters.AddWithValue(name, value switch
            {
                null => DBNull.Value,
                Digest d => d.ToString(),
                _ => value,
            });
        return cmd;
    }

    private int Exec(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        return cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        using var reader = cmd.ExecuteReader();
        var result = new List<T>();
        while (reader.Read()) result.Add(read(reader));
        return result;
    }
}

internal sealed record LayerRow(Digest ChainId, Digest DiffId, Digest? Parent, long Size, DateTimeOffset Created);

internal sealed record RwRow(string Name, Digest? Parent, string Driver, string DriverId, DateTimeOffset Created);

internal sealed record ImageRow(
    Digest Id, Digest ManifestDigest, string ManifestMediaType, long ManifestSize, Digest? TopLayer,
    DateTimeOffset? Created, DateTimeOffset Added);

internal sealed record PendingRow(string Driver, string DriverId, ProcessIdentity Owner);
