using Images.Builder.Engine;
using Images.Core.Oci;
using Images.Drivers.Tests;
using Images.Store;
using Images.Store.Catalog;

namespace Images.Builder.Tests.Engine;

/// <summary>
/// A store (vfs unless asked) and a build context in a fresh scratch directory, with helpers to build recipes
/// and look at the result. Dispose checks nothing was left behind (rw layers, mounts), then removes everything.
/// </summary>
internal sealed class BuildBench : IDisposable
{
    public const string Busybox = "/bin/busybox";

    /// <summary>A base every RUN recipe starts from: static busybox and its applets, no network.</summary>
    public const string BusyboxBase = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";

    private readonly ScratchDirectory _scratch;

    public BuildBench(string driver = "vfs", string? storeRoot = null)
    {
        Driver = driver;
        _scratch = new ScratchDirectory("builder-test-");
        Context = _scratch.Combine("context");
        Directory.CreateDirectory(Context);
        StoreRoot = storeRoot ?? _scratch.Combine("store");
        Store = LocalStore.Open(new StoreOptions { Root = StoreRoot, Driver = driver });
    }

    public string Driver { get; }
    public string Context { get; }
    public string StoreRoot { get; }
    public LocalStore Store { get; private set; }
    public StringWriter Log { get; private set; } = new();

    public void Reopen()
    {
        Store.Dispose();
        Store = LocalStore.Open(new StoreOptions { Root = StoreRoot, Driver = Driver });
    }

    /// <summary>Writes a context file (parents created), returning its full path.</summary>
    public string Write(string path, string content, int mode = 0x1a4)
    {
        string full = Path.Combine(Context, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        File.SetUnixFileMode(full, (UnixFileMode)mode);
        return full;
    }

    /// <summary>
    /// Writes <c>plain.tar</c> (pkg/, pkg/file "inside\n" and pkg/link -> file, owned 7:8) into the context and,
    /// for each compressor given (gzip, bzip2, xz, zstd), its compressed copy named <c>&lt;tool&gt;.tar.&lt;suffix&gt;</c>.
    /// </summary>
    public void WriteArchives(params string[] compressors)
    {
        string tar = Path.Combine(Context, "plain.tar");
        using (var stream = File.Create(tar))
        using (var writer = new System.Formats.Tar.TarWriter(stream, System.Formats.Tar.TarEntryFormat.Pax))
        {
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, "pkg/") { Mode = (UnixFileMode)0x1ed, Uid = 7, Gid = 8 });
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "pkg/file")
            {
                Mode = (UnixFileMode)0x1a4, Uid = 7, Gid = 8, DataStream = new MemoryStream("inside\n"u8.ToArray()),
            });
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.SymbolicLink, "pkg/link") { LinkName = "file", Uid = 7, Gid = 8 });
        }
        foreach (string tool in compressors)
        {
            string suffix = ArchiveSuffix(tool);
            Images.Drivers.Common.ExternalCommand.Run("compress a test archive", tool, "-k", "-f", tar);
            File.Move(tar + suffix, Path.Combine(Context, tool + ".tar" + suffix), overwrite: true);
        }
    }

    public static string ArchiveSuffix(string tool) => tool switch { "gzip" => ".gz", "bzip2" => ".bz2", "xz" => ".xz", "zstd" => ".zst", _ => "" };

    public void AddBusybox()
    {
        if (!File.Exists(Busybox)) Assert.Fail($"{Busybox} is missing: install Debian's busybox-static (test.sh does)");
        string target = Path.Combine(Context, "busybox");
        if (!File.Exists(target)) File.Copy(Busybox, target);
    }

    public BuildResult Build(string recipe, BuildOptions? options = null)
    {
        Log = new StringWriter();
        var o = (options ?? new BuildOptions { ContextDirectory = Context, RecipeText = recipe }) with { ContextDirectory = Context, RecipeText = recipe };
        return new ImageBuilder(Store, new BuildLog(Log)).Build(o);
    }

    public BuildException BuildFails(string recipe, BuildOptions? options = null) =>
        Assert.Throws<BuildException>(() => Build(recipe, options));

    public ImageConfig Config(BuildResult result) => Store.Images.ReadConfig(Store.Images.Get(result.ImageId)!).Config;

    /// <summary>Mounts the image's root filesystem, runs <paramref name="look"/> on it and unmounts.</summary>
    public T InRootfs<T>(BuildResult result, Func<string, T> look)
    {
        var image = Store.Images.Get(result.ImageId)!;
        if (image.TopLayer is not { } top) return look(_scratch.Combine("empty"));
        string root = Store.Layers.Mount(top, "test");
        try
        {
            return look(root);
        }
        finally
        {
            Store.Layers.Unmount(top, "test");
        }
    }

    public string ReadFile(BuildResult result, string path) => InRootfs(result, root => File.ReadAllText(Path.Combine(root, path.TrimStart('/'))));

    public void AssertClean()
    {
        Assert.Empty(Store.Layers.ListRw());
        Assert.Empty(Store.Layers.Mounts());
    }

    public void Dispose()
    {
        try
        {
            AssertClean();
        }
        finally
        {
            Store.Cleanup();
            Store.Dispose();
            _scratch.Dispose();
        }
    }
}
