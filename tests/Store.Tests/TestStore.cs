using System.Formats.Tar;
using System.Text;
using Images.Archive;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store.Layers;

namespace Images.Store.Tests;

/// <summary>A store on a fresh temp root with the vfs driver (or <c>driver</c>), removed with everything in it on dispose.</summary>
internal sealed class TestStore : IDisposable
{
    private readonly string _driver;

    public TestStore(string driver = "vfs")
    {
        _driver = driver;
        Root = Path.Combine(Path.GetTempPath(), "store-test-" + Guid.NewGuid().ToString("N"));
        Store = LocalStore.Open(new StoreOptions { Root = Root, Driver = driver });
    }

    public string Root { get; }
    public LocalStore Store { get; private set; }

    /// <summary>Closes and opens the store again (recovery runs).</summary>
    public LocalStore Reopen()
    {
        Store.Dispose();
        Store = LocalStore.Open(new StoreOptions { Root = Root, Driver = _driver });
        return Store;
    }

    /// <summary>Another instance on the same root, as a second process would have.</summary>
    public LocalStore OpenSecond() => LocalStore.Open(new StoreOptions { Root = Root, Driver = _driver });

    public void Dispose()
    {
        Store.Cleanup();
        Store.Dispose();
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    /// <summary>An uncompressed layer tar. Content null makes a directory; a name whose last part starts with .wh. is a whiteout.</summary>
    public static byte[] Tar(params (string Path, string? Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, content) in entries)
            {
                var entry = new PaxTarEntry(content is null ? TarEntryType.Directory : TarEntryType.RegularFile, path)
                {
                    Mode = content is null ? (UnixFileMode)0x1ed : (UnixFileMode)0x1a4,
                    ModificationTime = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
                };
                if (content is not null) entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
                writer.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    public static byte[] Compress(byte[] tar, LayerCompression compression)
    {
        using var output = new MemoryStream();
        using (var compressor = Compression.OpenCompressor(output, compression, leaveOpen: true))
            compressor.Write(tar);
        return output.ToArray();
    }

    /// <summary>Stores <paramref name="tar"/> compressed as asked and returns its descriptor.</summary>
    public Descriptor StoreBlob(byte[] tar, LayerCompression compression = LayerCompression.Gzip)
    {
        var bytes = Compress(tar, compression);
        var info = Store.Content.Write(bytes);
        return new Descriptor { MediaType = MediaTypes.OciLayerFor(compression), Digest = info.Digest, Size = info.Size };
    }

    /// <summary>Registers a layer made of <paramref name="tar"/> on <paramref name="parent"/>.</summary>
    public Layer AddLayer(byte[] tar, Digest? parent = null, LayerCompression compression = LayerCompression.Gzip) =>
        Store.Layers.Register(StoreBlob(tar, compression), parent, Digest.Compute(tar));

    /// <summary>
    /// Stores config and manifest of an image made of <paramref name="layers"/> (registered bottom first) and adds it.
    /// <paramref name="salt"/> varies the config so images without layers still differ.
    /// </summary>
    public Images.Store.Catalog.Image AddImage(IReadOnlyList<Layer> layers, string salt = "", string manifestMediaType = MediaTypes.OciManifest)
    {
        var config = new ImageConfig
        {
            Architecture = "amd64",
            Os = "linux",
            Created = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero),
            Config = new ContainerConfig { Labels = new Dictionary<string, string> { ["salt"] = salt } },
            RootFs = new RootFs { DiffIds = layers.Select(l => l.DiffId).ToList() },
        };
        var configBytes = OciJson.Serialize(config);
        var configInfo = Store.Content.Write(configBytes);
        var manifest = new ImageManifest
        {
            MediaType = manifestMediaType,
            Config = new Descriptor
            {
                MediaType = manifestMediaType == MediaTypes.DockerManifest ? MediaTypes.DockerConfig : MediaTypes.OciConfig,
                Digest = configInfo.Digest,
                Size = configInfo.Size,
            },
            Layers = layers.Select(l => l.Blobs[0]).ToList(),
        };
        var manifestInfo = Store.Content.Write(OciJson.Serialize(manifest));
        return Store.Images.Add(manifestInfo.Digest);
    }

    /// <summary>Every file and directory under <paramref name="directory"/>, relative, sorted (for before/after comparisons).</summary>
    public static IReadOnlyList<string> Listing(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(directory, p)).Order(StringComparer.Ordinal).ToList()
            : [];

    public static string Read(string path) => File.ReadAllText(path);
}
