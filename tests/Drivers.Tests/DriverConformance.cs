using System.Text;
using Images.Platform;
using Images.Store.Layers;

namespace Images.Drivers.Tests;

/// <summary>
/// What every graph driver must do, run once per driver by a sealed subclass that supplies the environment
/// (<c>VfsDriverTests</c>, <c>OverlayDriverTests</c>, ...). After each test, nothing may stay mounted under the
/// driver's home, no loop device may be backed by a file there and no fuse-overlayfs process may name it.
/// <para>Layers are written while mounted and before children are created on them, then sealed, as the layer store
/// does. Trees are compared with <see cref="TreeSnapshot"/>.</para>
/// <para>What the suite expects beyond the interface's comments: invalid ids (<c>Common.LayerIds</c>) throw an
/// <see cref="ArgumentException"/> before anything is touched; <see cref="IGraphDriver.Status"/> has a
/// "Backing Filesystem" entry; refusals name the layer and the reason (mounted, or the children).</para>
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

    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> threads released together; fails with every exception they threw.</summary>
    protected static void RunConcurrently(int threads, Action<int> body)
    {
        var start = new Barrier(threads);
        var failures = new List<Exception>();
        var workers = Enumerable.Range(0, threads).Select(n => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                body(n);
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        if (failures.Count > 0) throw new AggregateException(failures);
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
            WriteFile(root, "bin/tool", "#!/bin/sh\n", 0x9ed /* 4755 setuid */);
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

    [Fact]
    public void SiblingsCreatedInParallelEachGetTheirParent()
    {
        Build("base", null, root => WriteFile(root, "shared", "base"));
        var ids = Enumerable.Range(0, 6).Select(i => $"sibling{i}").ToList();
        RunConcurrently(ids.Count, i =>
        {
            Driver.Create(ids[i], "base");
            WithMount(ids[i], root => WriteFile(root, "own", ids[i]));
        });
        foreach (string id in ids)
        {
            Assert.Equal("base", Driver.ParentOf(id));
            WithMount(id, root =>
            {
                Assert.Equal("base", File.ReadAllText(Path.Combine(root, "shared")));
                Assert.Equal(id, File.ReadAllText(Path.Combine(root, "own")));
            });
            Driver.Remove(id);
        }
        Driver.Remove("base");
    }

    // ---- mounts -------------------------------------------------------------------------------------------------

    [Fact]
    public void ConcurrentMountsAreCountedUntilTheLastUnmount()
    {
        Build("base", null, root => WriteFile(root, "data", "shared"));
        string held = Driver.Mount("base");
        const int rounds = 25;
        RunConcurrently(6, _ =>
        {
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
        });

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

    // ---- layer tars through DriverDiffs (the layer store's path) ----------------------------------------------

    /// <summary>Creates <paramref name="id"/> on <paramref name="parent"/>, applies <paramref name="tar"/> through DriverDiffs, seals it.</summary>
    protected void ApplyLayer(string id, string? parent, LayerTar tar)
    {
        Driver.Create(id, parent);
        using var stream = tar.ToStream();
        DriverDiffs.Apply(Driver, id, stream);
        Driver.Seal(id);
    }

    /// <summary>The layer tar of <paramref name="id"/> against its parent, as the layer store would export it.</summary>
    protected byte[] DiffOf(string id)
    {
        using var output = new MemoryStream();
        DriverDiffs.WriteDiff(Driver, id, output);
        return output.ToArray();
    }

    /// <summary>Applies the exported diff of <paramref name="id"/> as a new layer on <paramref name="parent"/>.</summary>
    protected void ApplyDiff(string newId, string? parent, byte[] diff)
    {
        Driver.Create(newId, parent);
        using var stream = new MemoryStream(diff, writable: false);
        DriverDiffs.Apply(Driver, newId, stream);
        Driver.Seal(newId);
    }

    private static LayerTar BaseTar() => new LayerTar()
        .Dir("etc")
        .File("etc/os-release", "ID=test\n")
        .File("etc/hostname", "box\n", 0x180)
        .Dir("usr", xattrs: ("user.dir", "on a dir"u8.ToArray()))
        .Dir("usr/bin")
        .File("usr/bin/tool", "#!/bin/sh\necho tool\n", 0x9ed, 0, 0,
            ("user.comment", "hello"u8.ToArray()), ("security.capability", FileCapabilities.NetBindService))
        .Symlink("usr/bin/sym", "tool")
        .HardLink("usr/bin/tool2", "usr/bin/tool")
        .Dir("srv/data", 0x1c0, 1000, 1000)
        .File("srv/data/one", "1", 0x1a4, 1000, 1000)
        .Dir("srv/data/sub")
        .File("srv/data/sub/two", "2");

    [Fact]
    public void AppliedLayersDiffBackToTheSameTrees()
    {
        ApplyLayer("base", null, BaseTar());
        ApplyLayer("top", "base", new LayerTar()
            .File("etc/hostname", "changed\n")
            .Whiteout("etc/os-release")
            .File("srv/data/three", "3")
            .Dir("opt/new"));
        var baseTree = Snapshot("base");
        var topTree = Snapshot("top");

        // Export both layers and rebuild the chain from the exports alone.
        byte[] baseDiff = DiffOf("base"), topDiff = DiffOf("top");
        ApplyDiff("base2", null, baseDiff);
        ApplyDiff("top2", "base2", topDiff);

        TreeSnapshot.AssertEqual(baseTree, Snapshot("base2"));
        TreeSnapshot.AssertEqual(topTree, Snapshot("top2"));
        Assert.Null(topTree.LineOf("/etc/os-release"));
        Assert.Contains("/etc/os-release", baseTree.Paths);
        foreach (string id in new[] { "top2", "base2", "top", "base" }) Driver.Remove(id);
    }

    [Fact]
    public void AnUntouchedChildHasNoChanges()
    {
        ApplyLayer("base", null, BaseTar());
        Driver.Create("child", "base");
        Assert.Empty(DriverDiffs.Changes(Driver, "child"));
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void ChangesOfAWritableLayerAreAddedModifiedAndDeleted()
    {
        ApplyLayer("base", null, new LayerTar()
            .Dir("etc").File("etc/a", "a").File("etc/b", "b").File("etc/c", "c")
            .Dir("dir").File("dir/inside", "x"));
        Driver.Create("rw", "base");
        WithMount("rw", root =>
        {
            File.WriteAllText(Path.Combine(root, "etc/new"), "new");
            File.WriteAllText(Path.Combine(root, "etc/a"), "modified");
            File.Delete(Path.Combine(root, "etc/b"));
            Files.Chmod(Path.Combine(root, "dir"), 0x1c0);
        });

        var changes = DriverDiffs.Changes(Driver, "rw").Select(c => c.ToString()).ToList();

        Assert.Equal(["A /etc/new", "C /dir", "C /etc", "C /etc/a", "D /etc/b"], changes.Order(StringComparer.Ordinal));
        Driver.Remove("rw");
        Driver.Remove("base");
    }

    [Fact]
    public void WhiteoutsOfFilesDirectoriesAndOpaqueDirectoriesHideLowerEntries()
    {
        ApplyLayer("base", null, new LayerTar()
            .Dir("a").File("a/file1", "1").File("a/file2", "2")
            .Dir("b").Dir("b/sub").File("b/sub/x", "x")
            .Dir("opq").File("opq/old", "old").Dir("opq/olddir").File("opq/olddir/y", "y")
            .File("keep", "keep"));
        var baseTree = Snapshot("base");
        ApplyLayer("top", "base", new LayerTar()
            .Whiteout("a/file1")
            .Whiteout("b")
            .Dir("opq").Opaque("opq").File("opq/new", "new"));

        var top = Snapshot("top");
        Assert.Equal(
            ["/", "/a", "/a/file2", "/keep", "/opq", "/opq/new"],
            top.Paths);
        Assert.DoesNotContain(top.Paths, p => p.Contains(".wh.", StringComparison.Ordinal));
        TreeSnapshot.AssertEqual(baseTree, Snapshot("base"));

        // The same through one more layer: whiteouts stay in effect above.
        ApplyLayer("above", "top", new LayerTar().File("opq/another", "a"));
        Assert.Equal(["/", "/a", "/a/file2", "/keep", "/opq", "/opq/another", "/opq/new"], Snapshot("above").Paths);
        foreach (string id in new[] { "above", "top", "base" }) Driver.Remove(id);
    }

    [Fact]
    public void ARenamedDirectoryDiffsAndAppliesAsTheRenamedTree()
    {
        ApplyLayer("base", null, new LayerTar()
            .Dir("srv").Dir("srv/old").File("srv/old/f1", "1").Dir("srv/old/sub").File("srv/old/sub/f2", "2"));
        Driver.Create("rw", "base");
        WithMount("rw", root => RenameLikeMv(Path.Combine(root, "srv/old"), Path.Combine(root, "srv/new")));
        var renamed = Snapshot("rw");
        Assert.Contains("/srv/new/sub/f2", renamed.Paths);
        Assert.DoesNotContain("/srv/old", renamed.Paths);

        byte[] diff = DiffOf("rw");
        ApplyDiff("replayed", "base", diff);

        TreeSnapshot.AssertEqual(renamed, Snapshot("replayed"));
        foreach (string id in new[] { "replayed", "rw", "base" }) Driver.Remove(id);
    }

    /// <summary>
    /// Renames a directory as `mv` does: overlayfs without redirect_dir (and fuse-overlayfs) refuse to rename a
    /// directory from a lower layer with EXDEV, and `mv` then copies and deletes.
    /// </summary>
    private static void RenameLikeMv(string from, string to)
    {
        try
        {
            Directory.Move(from, to);
        }
        catch (IOException e) when (e.HResult == 18 /* EXDEV */)
        {
            Images.Drivers.Common.TreeCopy.Copy(from, to);
            Directory.Delete(from, recursive: true);
        }
    }

    [Fact]
    public void AHardLinkToALowerLayersFileJoinsItsGroup()
    {
        ApplyLayer("base", null, new LayerTar().Dir("usr").Dir("usr/bin").File("usr/bin/tool", "tool data", 0x1ed));
        var baseTree = Snapshot("base");
        ApplyLayer("top", "base", new LayerTar().HardLink("usr/bin/alias", "usr/bin/tool"));

        var top = Snapshot("top");
        Assert.Contains("linkgroup=/usr/bin/alias", top.LineOf("/usr/bin/tool"));
        Assert.Contains("linkgroup=/usr/bin/alias", top.LineOf("/usr/bin/alias"));
        Assert.Equal("tool data", WithMount("top", root => File.ReadAllText(Path.Combine(root, "usr/bin/alias"))));
        TreeSnapshot.AssertEqual(baseTree, Snapshot("base"));
        Driver.Remove("top");
        Driver.Remove("base");
    }

    [Fact]
    public void XattrsAndFileCapabilitiesSurviveApplyMountAndChildren()
    {
        ApplyLayer("base", null, BaseTar());
        var tree = Snapshot("base");
        string tool = tree.LineOf("/usr/bin/tool")!;
        Assert.Contains("xattr:user.comment=\"hello\"", tool);
        Assert.Contains("xattr:security.capability=0x" + Convert.ToHexStringLower(FileCapabilities.NetBindService), tool);
        Assert.Contains("mode=4755", tool);
        Assert.Contains("xattr:user.dir=\"on a dir\"", tree.LineOf("/usr"));

        Driver.Create("child", "base");
        TreeSnapshot.AssertEqual(tree, Snapshot("child"));
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
