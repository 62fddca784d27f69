using Images.Core.Digests;

namespace Images.Store;

/// <summary>
/// The one mapping of a store root to its files. Nothing outside <c>src/Store</c> reads or writes them.
/// <code>
/// root/metadata.db                 SQLite (WAL): layers, images, tags, mounts, rw layers, pending driver layers
/// root/content/blobs/&lt;alg&gt;/&lt;hex&gt;   verified blobs, named by digest (the file's presence is the truth)
/// root/content/ingest/&lt;random&gt;     blobs being written (each flocked by its writer; stale ones are deleted on open)
/// root/drivers/&lt;driver&gt;/          each graph driver's home
/// root/registry/uploads/&lt;id&gt;/    a registry upload session: session.json (repository, start) and data (the bytes so far)
/// root/tmp/                        scratch space on the store's filesystem
/// root/store.lock                  the GC lease: shared while content is added, exclusive for prune and check
/// </code>
/// </summary>
internal sealed class StorePaths
{
    public StorePaths(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string Metadata => Path.Combine(Root, "metadata.db");
    public string Content => Path.Combine(Root, "content");
    public string Blobs => Path.Combine(Content, "blobs");
    public string Ingest => Path.Combine(Content, "ingest");
    public string Drivers => Path.Combine(Root, "drivers");
    public string Tmp => Path.Combine(Root, "tmp");
    public string Lock => Path.Combine(Root, "store.lock");
    public string RegistryUploads => Path.Combine(Root, "registry", "uploads");
    public string RegistryUpload(string id) => Path.Combine(RegistryUploads, id);

    public string BlobDirectory(string algorithm) => Path.Combine(Blobs, algorithm);
    public string Blob(Digest digest) => Path.Combine(Blobs, digest.Algorithm, digest.Encoded);
    /// <summary>A driver's home: the registry's mapping, so the store and <c>DriverRegistry.Open</c> agree.</summary>
    public string DriverHome(string driver) => Images.Drivers.DriverRegistry.HomeOf(Root, driver);

    /// <summary>Creates every directory of the layout that does not exist yet.</summary>
    public void CreateDirectories()
    {
        foreach (var dir in new[] { Root, Content, Blobs, Ingest, Drivers, Tmp, RegistryUploads })
            Directory.CreateDirectory(dir);
    }
}
