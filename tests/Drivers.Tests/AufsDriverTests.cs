using System.Formats.Tar;
using Images.Archive;
using Images.Core.Layers;
using Images.Drivers.Aufs;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>
/// The conformance suite for aufs (mounted with fuse-overlayfs: this kernel has no aufs), plus what only aufs does:
/// layers applied as plain untars keep <c>.wh.</c> whiteouts that fuse-overlayfs honours in lower branches, branches
/// written through a mount are put back into aufs form, native diffs, fuse daemons that never outlive a mount.
/// </summary>
public sealed class AufsDriverTests : DriverConformance
{
    protected override IDriverEnvironment CreateEnvironment() =>
        new TempHomeEnvironment("aufs-test-", home => AufsDriver.Open(home, AufsProbe.Run(home)));

    private AufsDriver Aufs => (AufsDriver)Driver;

    private string Branch(string id) => Path.Combine(Aufs.Home, "diff", id);

    [Fact]
    public void ThisKernelMountsWithFuseOverlayfs()
    {
        Assert.False(AufsKernelMount.KernelHasAufs());
        Assert.Equal(AufsBackend.FuseOverlayfs, Aufs.Backend);
        Build("base", null);
        Driver.Create("child", "base");
        WithMount("child", root =>
        {
            string line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == root);
            Assert.Contains(" - fuse.fuse-overlayfs ", line);
            Assert.Single(Leaks.FuseProcessesUnder(Aufs.Home));
        });
        Assert.Empty(Leaks.FuseProcessesUnder(Aufs.Home));
        Assert.Equal("base\n", File.ReadAllText(Path.Combine(Aufs.Home, "layers", "child")));
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void AufsWhiteoutsInLowerBranchesHideWhatIsBelow()
    {
        Build("base", null, root =>
        {
            WriteFile(root, "x", "hidden by .wh.x");
            WriteFile(root, "kept", "kept");
            WriteFile(root, "d/old", "hidden by the opaque marker");
        });
        Driver.Create("mid", "base");
        var target = Driver.GetApplyTarget("mid");
        Assert.Equal(WhiteoutFormat.Aufs, target.Format);
        Assert.Equal(Branch("mid"), target.Directory);
        Assert.Equal([Branch("base")], target.LowerDirectories);
        var tar = Tar(
            new PaxTarEntry(TarEntryType.RegularFile, ".wh.x"),
            new PaxTarEntry(TarEntryType.Directory, "d/"),
            new PaxTarEntry(TarEntryType.RegularFile, "d/.wh..wh..opq"),
            new PaxTarEntry(TarEntryType.RegularFile, "d/new") { DataStream = new MemoryStream("new"u8.ToArray()) });
        LayerApplier.Apply(tar, target.Directory!, new ApplyOptions { Whiteouts = target.Format, LowerDirectories = target.LowerDirectories });
        Driver.Seal("mid");
        // A plain untar: the whiteouts are files in the branch.
        Assert.True(File.Exists(Path.Combine(Branch("mid"), ".wh.x")));
        Assert.True(File.Exists(Path.Combine(Branch("mid"), "d", ".wh..wh..opq")));

        Driver.Create("top", "mid");
        WithMount("top", root =>
        {
            Assert.False(Files.TryLstat(Path.Combine(root, "x"), out _), ".wh.x in a lower branch did not hide x below it");
            Assert.Equal("kept", File.ReadAllText(Path.Combine(root, "kept")));
            Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(root, "d")).Select(Path.GetFileName));
            Assert.DoesNotContain(Directory.GetFileSystemEntries(root), e => Path.GetFileName(e).StartsWith(".wh.", StringComparison.Ordinal));
        });
        WithMount("mid", root => Assert.False(Files.TryLstat(Path.Combine(root, "x"), out _)));
        Driver.Remove("top");
        Driver.Remove("mid");
        Driver.Remove("base");
    }

    [Fact]
    public void ABranchWrittenThroughAMountIsStoredInAufsForm()
    {
        Build("base", null, root =>
        {
            WriteFile(root, "gone", "x");
            WriteFile(root, "modified", "x");
            WriteFile(root, "replaced/old", "x");
        });
        Build("child", "base", root =>
        {
            File.Delete(Path.Combine(root, "gone"));
            File.AppendAllText(Path.Combine(root, "modified"), "y");
            Directory.Delete(Path.Combine(root, "replaced"), recursive: true);
            WriteFile(root, "replaced/new", "new");
            WriteFile(root, "fresh/dir/file", "new");
        });
        var lines = TreeSnapshot.Of(Branch("child")).Lines;
        Assert.Equal(
        [
            "/ directory mode=0755 owner=0:0",
            "/.wh.gone regular mode=0600 owner=0:0 size=0 sha256=" + Hash(""),
            "/fresh directory mode=0755 owner=0:0",
            "/fresh/dir directory mode=0755 owner=0:0",
            "/fresh/dir/file regular mode=0644 owner=0:0 size=3 sha256=" + Hash("new"),
            "/modified regular mode=0644 owner=0:0 size=2 sha256=" + Hash("xy"),
            "/replaced directory mode=0755 owner=0:0",
            "/replaced/.wh..wh..opq regular mode=0600 owner=0:0 size=0 sha256=" + Hash(""),
            "/replaced/new regular mode=0644 owner=0:0 size=3 sha256=" + Hash("new"),
        ], lines);
        // No overlay forms and no fuse-overlayfs bookkeeping left (TreeSnapshot hides trusted.overlay.*: look directly).
        foreach (string path in Directory.EnumerateFileSystemEntries(Branch("child"), "*", SearchOption.AllDirectories).Append(Branch("child")))
            Assert.Empty(Files.ListXattrs(path));
        Assert.False(File.Exists(Path.Combine(Aufs.Home, "work", "child", "unconverted")));

        // Mounted again, the branch in aufs form still hides and shows the same.
        WithMount("child", root =>
        {
            Assert.False(Files.TryLstat(Path.Combine(root, "gone"), out _));
            Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(root, "replaced")).Select(Path.GetFileName));
            Assert.Equal("xy", File.ReadAllText(Path.Combine(root, "modified")));
        });
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void NativeDiffGivesTheSameLayerAsComparingTrees()
    {
        Build("base", null, DiffTars.WriteBase);
        Build("child", "base", DiffTars.ChangeChild);
        var native = Aufs.GetNativeDiff("child");
        Assert.NotNull(native);
        Assert.Equal(new NativeDiff(Branch("child"), WhiteoutFormat.Aufs), native);
        DiffTars.AssertEquivalent(Driver, "base", "child", native);
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void NoNativeDiffWhileMountedAndABranchLeftByACrashIsConvertedFirst()
    {
        Build("base", null, root => WriteFile(root, "gone", "x"));
        Driver.Create("child", "base");
        WithMount("child", _ => Assert.Null(Aufs.GetNativeDiff("child")));

        // What a process killed while the layer was mounted leaves: fuse-overlayfs forms and the marker.
        Files.Mknod(Path.Combine(Branch("child"), "gone"), Files.S_IFCHR, 0, 0);
        File.WriteAllText(Path.Combine(Aufs.Home, "work", "child", "unconverted"), "");
        var native = Aufs.GetNativeDiff("child");
        Assert.NotNull(native);
        Assert.Equal([".wh.gone"], Directory.GetFileSystemEntries(native.Directory).Select(Path.GetFileName));
        Assert.Equal(FileKind.Regular, Files.Lstat(Path.Combine(native.Directory, ".wh.gone")).Kind);
        Assert.False(File.Exists(Path.Combine(Aufs.Home, "work", "child", "unconverted")));
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void ReopeningFinishesInterruptedRemovesAndCreatesReplaceLeftovers()
    {
        Build("base", null, root => WriteFile(root, "f", "f"));
        Driver.Create("half-removed", "base");
        Driver.Create("half-created", "base");
        // A crash mid-remove: the branch is gone, the record is not. A crash mid-create: a branch, no record.
        Directory.Delete(Branch("half-removed"));
        File.Delete(Path.Combine(Aufs.Home, "layers", "half-created"));
        using (var reopened = AufsDriver.Open(Aufs.Home, AufsProbe.Run(Aufs.Home)))
        {
            Assert.False(reopened.Exists("half-removed"));
            Assert.False(Directory.Exists(Path.Combine(Aufs.Home, "mnt", "half-removed")));
            Assert.False(reopened.Exists("half-created"));
            Assert.Equal(["base"], Directory.GetFiles(Path.Combine(Aufs.Home, "layers")).Select(Path.GetFileName));
        }
        Driver.Create("half-created", "base");
        Assert.Equal("f", WithMount("half-created", root => File.ReadAllText(Path.Combine(root, "f"))));
        Driver.Remove("half-created");
        Driver.Remove("base");
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Aufs.Home, "diff")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Aufs.Home, "layers")));
    }

    [Fact]
    public void CleanupUnmountsEverythingAndLeavesNoFuseProcess()
    {
        Build("base", null, root => WriteFile(root, "f", "f"));
        Driver.Create("a", "base");
        Driver.Create("b", "base");
        Driver.Mount("a");
        Driver.Mount("a");
        Driver.Mount("b");
        Assert.Equal(2, Leaks.FuseProcessesUnder(Aufs.Home).Count);
        Driver.Cleanup();
        Assert.Empty(Leaks.FuseProcessesUnder(Aufs.Home));
        Assert.Empty(Leaks.MountsUnder(Aufs.Home));
        Assert.Throws<DriverException>(() => Driver.Unmount("a"));
        Driver.Remove("a");
        Driver.Remove("b");
        Driver.Remove("base");
    }

    [Fact]
    public void ProbeNamesWhatItMountsWithAndRefusesHomesThatBreakBranchOptions()
    {
        var provider = new AufsDriverProvider();
        var support = provider.Probe(Aufs.Home);
        Assert.True(support.Supported, support.Reason);
        Assert.Contains("fuse-overlayfs", support.Reason);
        var comma = provider.Probe(Path.Combine(Path.GetTempPath(), "store,with-comma"));
        Assert.False(comma.Supported);
        Assert.Contains("','", comma.Reason);
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "store,with-comma")));
    }

    [Fact]
    public void KernelAufsMountDataListsBranchesTopFirst()
    {
        // The kernel aufs path cannot run here (no aufs module); its mount data is still checked.
        var lowers = new[] { "/s/diff/parent", "/s/diff/grandparent" };
        Assert.Equal("br:/s/diff/top=rw:/s/diff/parent=ro+wh:/s/diff/grandparent=ro+wh,dio,xino=/dev/shm/aufs.xino",
            AufsKernelMount.FirstMountData("/s/diff/top", lowers, out int appended));
        Assert.Equal(2, appended);
        var many = Enumerable.Range(0, 200).Select(i => $"/store/drivers/aufs/diff/{i:d3}-" + new string('x', 60)).ToList();
        string data = AufsKernelMount.FirstMountData("/store/drivers/aufs/diff/top", many, out int fitted);
        Assert.True(data.Length <= Environment.SystemPageSize - 1);
        Assert.InRange(fitted, 1, 199);
        Assert.EndsWith(",dio,xino=/dev/shm/aufs.xino", data);
    }

    private static string Hash(string content) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));

    private static MemoryStream Tar(params PaxTarEntry[] entries)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var entry in entries)
            {
                entry.Mode = entry.EntryType == TarEntryType.Directory ? (UnixFileMode)0x1ed : (UnixFileMode)0x1a4;
                writer.WriteEntry(entry);
            }
        output.Position = 0;
        return output;
    }
}
