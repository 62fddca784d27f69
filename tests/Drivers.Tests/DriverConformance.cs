using System.Text;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>
/// What every graph driver must do, run once per driver by a sealed subclass that supplies the environment
/// (<c>VfsDriverTests</c>, <c>OverlayDriverTests</c>, ...). After each test, nothing may stay mounted under the
/// driver's home, no loop device may be backed by a file there and no fuse-overlayfs process may name it.
/// <para>Layers are written while mounted and before children are created on them, then sealed, as the layer store
/// does. Trees are compared with <see cref="TreeSnapshot"/>.</para>
/// TODO(integrator): add "the umoci fixture mounts to exactly umoci's unpack" once the transfer helper's fixture lands.
/// </summary>
public abstract partial class DriverConformance : IDisposable
{
    protected DriverConformance() => Env = CreateEnvironment();

    protected abstract IDriverEnvironment CreateEnvironment();

    protected IDriverEnvironment Env { get; }

    protected IGraphDriver Driver => Env.Driver;

    public void Dispose()
    {
        IReadOnlyList<string> leaks;
        try
        {
            leaks = Leaks.Under(Env.Home);
        }
        finally
        {
            Env.Dispose();
        }
        GC.SuppressFinalize(this);
        if (leaks.Count > 0) Assert.Fail($"left behind under {Env.Home} after the test:\n" + string.Join('\n', leaks));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /// <summary>Mounts <paramref name="id"/>, runs <paramref name="action"/> on its root and always unmounts.</summary>
    protected void WithMount(string id, Action<string> action)
    {
        string root = Driver.Mount(id);
        try
        {
            action(root);
        }
        finally
        {
            Driver.Unmount(id);
        }
    }

    protected T WithMount<T>(string id, Func<string, T> func)
    {
        T result = default!;
        WithMount(id, root => { result = func(root); });
        return result;
    }

    /// <summary>Creates <paramref name="id"/> on <paramref name="parent"/>, lets <paramref name="write"/> fill it, seals it.</summary>
    protected void Build(string id, string? parent, Action<string>? write = null)
    {
        Driver.Create(id, parent);
        if (write is not null) WithMount(id, write);
        Driver.Seal(id);
    }

    protected TreeSnapshot Snapshot(string id) => WithMount(id, TreeSnapshot.Of);

    protected static void WriteFile(string root, string relative, string content, uint mode = 0x1a4 /* 0644 */)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        Files.Chmod(path, mode);
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------------

    [Fact]
    public void CreateMountWriteRemove()
    {
        Assert.False(Driver.Exists("base"));
        Driver.Create("base", null);
        Assert.True(Driver.Exists("base"));
        Assert.Null(Driver.ParentOf("base"));
        WithMount("base", root =>
        {
            Assert.True(Directory.Exists(root));
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(root), e => Path.GetFileName(e) != "lost+found");
            WriteFile(root, "hello.txt", "hello");
        });
        Driver.Seal("base");
        Assert.Equal("hello", WithMount("base", root => File.ReadAllText(Path.Combine(root, "hello.txt"))));
        Driver.Remove("base");
        Assert.False(Driver.Exists("base"));
        Assert.Throws<DriverException>(() => Driver.Mount("base"));
    }

    [Fact]
    public void CreateRefusesAnExistingIdAndAMissingParent()
    {
        Driver.Create("one", null);
        var exists = Assert.Throws<DriverException>(() => Driver.Create("one", null));
        Assert.Contains("one", exists.Message);
        var missing = Assert.Throws<DriverException>(() => Driver.Create("two", "nosuchparent"));
        Assert.Contains("nosuchparent", missing.Message);
        Assert.False(Driver.Exists("two"));
        Driver.Remove("one");
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("/abs")]
    [InlineData(".hidden")]
    [InlineData("x-removing")]
    public void InvalidIdsAreRefusedBeforeTouchingDisk(string id)
    {
        var before = Directory.GetFileSystemEntries(Env.Home, "*", SearchOption.AllDirectories);
        Assert.ThrowsAny<ArgumentException>(() => Driver.Create(id, null));
        Assert.ThrowsAny<ArgumentException>(() => Driver.Mount(id));
        Assert.ThrowsAny<ArgumentException>(() => Driver.Remove(id));
        Assert.False(Driver.Exists(id));
        Assert.Equal(before, Directory.GetFileSystemEntries(Env.Home, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(128)]
    public void ParentChainsShowEveryLayersFile(int depth)
    {
        string? parent = null;
        for (int i = 0; i < depth; i++)
        {
            string id = $"layer{i:d3}";
            int n = i;
            Build(id, parent, root => WriteFile(root, $"files/f{n:d3}", n.ToString()));
            parent = id;
        }
        WithMount(parent!, root =>
        {
            var names = Directory.GetFiles(Path.Combine(root, "files")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(Enumerable.Range(0, depth).Select(i => $"f{i:d3}"), names);
            for (int i = 0; i < depth; i++)
                Assert.Equal(i.ToString(), File.ReadAllText(Path.Combine(root, "files", $"f{i:d3}")));
        });
        for (int i = depth - 1; i >= 0; i--)
        {
            string id = $"layer{i:d3}";
            Assert.Equal(i == 0 ? null : $"layer{i - 1:d3}", Driver.ParentOf(id));
            Driver.Remove(id);
        }
    }

    [Fact]
    public void AChildsWritesNeverReachItsParent()
    {
        Build("base", null, root =>
        {
            WriteFile(root, "etc/config", "original");
            WriteFile(root, "keep", "keep");
        });
        var parentBefore = Snapshot("base");
        Driver.Create("child", "base");
        WithMount("child", root =>
        {
            Assert.Equal("original", File.ReadAllText(Path.Combine(root, "etc/config")));
            File.WriteAllText(Path.Combine(root, "etc/config"), "changed in child");
            File.Delete(Path.Combine(root, "keep"));
            WriteFile(root, "new", "new");
        });
        TreeSnapshot.AssertEqual(parentBefore, Snapshot("base"));
        WithMount("child", root =>
        {
            Assert.Equal("changed in child", File.ReadAllText(Path.Combine(root, "etc/config")));
            Assert.False(File.Exists(Path.Combine(root, "keep")));
        });
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void ContentSurvivesIntoAChildExactly()
    {
        Build("base", null, root =>
        {
            WriteFile(root, "bin/tool", "#!/bin/sh\n", 0xded /* 4755 setuid */);
            WriteFile(root, "shared", "group", 0x5fd /* 2775 setgid */);
            Directory.CreateDirectory(Path.Combine(root, "tmp"));
            Files.Chmod(Path.Combine(root, "tmp"), 0x3ff /* 1777 sticky */);
            Files.Lchown(Path.Combine(root, "shared"), 1000, 1001);
            Files.HardLink(Path.Combine(root, "bin/tool"), Path.Combine(root, "bin/tool-link"));
            File.CreateSymbolicLink(Path.Combine(root, "bin/sym"), "tool");
            File.CreateSymbolicLink(Path.Combine(root, "dangling"), "/no/such/target");
            Directory.CreateDirectory(Path.Combine(root, "dev"));
            Files.Mknod(Path.Combine(root, "dev/null"), Files.S_IFCHR | 0x1b6, 1, 3);
            Files.Mknod(Path.Combine(root, "dev/fifo"), Files.S_IFIFO | 0x1a4, 0, 0);
            Files.SetXattr(Path.Combine(root, "shared"), "user.note", "kept"u8);
            Files.SetXattr(Path.Combine(root, "bin/tool"), "security.capability", FileCapabilities.NetBindService);
        });
        var parent = Snapshot("base");
        Assert.Contains("xattr:security.capability=", parent.LineOf("/bin/tool"));
        Assert.Contains("linkgroup=/bin/tool", parent.LineOf("/bin/tool-link"));
        Driver.Create("child", "base");
        TreeSnapshot.AssertEqual(parent, Snapshot("child"));
        Driver.Remove("child");
        Driver.Remove("base");
    }

    // ---- mounts -------------------------------------------------------------------------------------------------

    [Fact]
    public void ConcurrentMountsAreCountedUntilTheLastUnmount()
    {
        Build("base", null, root => WriteFile(root, "data", "shared"));
        string held = Driver.Mount("base");
        const int threads = 6, rounds = 25;
        var start = new Barrier(threads);
        var failures = new List<Exception>();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (int i = 0; i < rounds; i++)
                {
                    string root = Driver.Mount("base");
                    try
                    {
                        Assert.Equal("shared", File.ReadAllText(Path.Combine(root, "data")));
                    }
                    finally
                    {
                        Driver.Unmount("base");
                    }
                }
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        Assert.Empty(failures);

        // The first Mount is still held: the layer stays mounted and cannot be removed.
        Assert.Equal("shared", File.ReadAllText(Path.Combine(held, "data")));
        Assert.Throws<DriverException>(() => Driver.Remove("base"));
        Driver.Unmount("base");
        Assert.Empty(Leaks.MountsUnder(Env.Home));
        Assert.Throws<DriverException>(() => Driver.Unmount("base"));
        Driver.Remove("base");
        Assert.False(Driver.Exists("base"));
    }

    [Fact]
    public void NestedMountsOfOneLayerShareOneRoot()
    {
        Build("base", null, root => WriteFile(root, "x", "x"));
        string first = Driver.Mount("base");
        string second = Driver.Mount("base");
        Assert.Equal(first, second);
        Driver.Unmount("base");
        Assert.Equal("x", File.ReadAllText(Path.Combine(first, "x")));
        Driver.Unmount("base");
        Driver.Remove("base");
    }

    // ---- removal ------------------------------------------------------------------------------------------------

    [Fact]
    public void RemovingAMountedLayerIsRefused()
    {
        Build("base", null, root => WriteFile(root, "x", "x"));
        Driver.Mount("base");
        try
        {
            var refused = Assert.Throws<DriverException>(() => Driver.Remove("base"));
            Assert.Contains("base", refused.Message);
            Assert.Contains("mount", refused.Message);
            Assert.True(Driver.Exists("base"));
        }
        finally
        {
            Driver.Unmount("base");
        }
        Driver.Remove("base");
        Assert.False(Driver.Exists("base"));
    }

    [Fact]
    public void RemovingALayerWithChildrenIsRefused()
    {
        Build("base", null, root => WriteFile(root, "x", "x"));
        Driver.Create("child", "base");
        var refused = Assert.Throws<DriverException>(() => Driver.Remove("base"));
        Assert.Contains("child", refused.Message);
        Assert.True(Driver.Exists("base"));
        Assert.Equal("x", WithMount("child", root => File.ReadAllText(Path.Combine(root, "x"))));
        Driver.Remove("child");
        Driver.Remove("base");
        Assert.False(Driver.Exists("base"));
    }

    // ---- accounting ---------------------------------------------------------------------------------------------

    [Fact]
    public void DiffSizeIsPositiveAndGrowsWithContent()
    {
        Driver.Create("base", null);
        WithMount("base", root => WriteFile(root, "small", new string('s', 1000)));
        long small = Driver.DiffSize("base");
        Assert.True(small > 0, $"DiffSize {small} of a layer holding 1000 bytes");
        WithMount("base", root => WriteFile(root, "big", new string('b', 200_000)));
        long big = Driver.DiffSize("base");
        Assert.True(big >= small + 200_000, $"DiffSize grew from {small} to {big} after adding 200000 bytes");
        Driver.Remove("base");
    }

    [Fact]
    public void StatusNamesTheBackingFilesystem()
    {
        Build("base", null);
        var status = Driver.Status();
        Assert.NotEmpty(status);
        Assert.All(status, kv => Assert.False(string.IsNullOrWhiteSpace(kv.Key)));
        var backing = Assert.Single(status, kv => kv.Key == "Backing Filesystem");
        Assert.DoesNotContain("unknown", backing.Value);
        Driver.Remove("base");
    }

    [Fact]
    public void ApplyTargetIsGivenForAnExistingLayerOnly()
    {
        Build("base", null);
        Driver.Create("child", "base");
        var target = Driver.GetApplyTarget("child");
        Assert.NotNull(target);
        if (target.Directory is not null) Assert.True(Directory.Exists(target.Directory), target.Directory);
        Assert.ThrowsAny<Exception>(() => Driver.GetApplyTarget("nosuchlayer"));
        Driver.Remove("child");
        Driver.Remove("base");
    }
}

/// <summary>security.capability values for tests (VFS_CAP_REVISION_2, little-endian).</summary>
public static class FileCapabilities
{
    /// <summary>cap_net_bind_service=ep.</summary>
    public static byte[] NetBindService
    {
        get
        {
            var value = new byte[20];
            BitConverter.TryWriteBytes(value.AsSpan(0), 0x02000001u); // revision 2, effective
            BitConverter.TryWriteBytes(value.AsSpan(4), 1u << 10);     // permitted: CAP_NET_BIND_SERVICE
            return value;
        }
    }
}
