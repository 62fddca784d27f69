using Images.Core.Layers;
using Images.Drivers.Overlay;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>The conformance suite for overlay, plus what only overlay does: on-disk whiteout form, short links and
/// one-page mount options for deep images, native diffs, and the probe's reasons.</summary>
public sealed class OverlayDriverTests : DriverConformance
{
    protected override IDriverEnvironment CreateEnvironment() =>
        new TempHomeEnvironment("overlay-test-", home => OverlayDriver.Open(home, OverlayProbe.For(home)));

    private OverlayDriver Overlay => (OverlayDriver)Driver;

    [Fact]
    public void LayersKeepOverlayWhiteoutsAndOpaqueDirsInTheirDiffDir()
    {
        Build("base", null, root =>
        {
            WriteFile(root, "gone", "x");
            WriteFile(root, "dir/old", "x");
        });
        Build("child", "base", root =>
        {
            File.Delete(Path.Combine(root, "gone"));
            Directory.Delete(Path.Combine(root, "dir"), recursive: true);
            WriteFile(root, "dir/new", "y");
        });
        var target = Driver.GetApplyTarget("child");
        Assert.Equal(WhiteoutFormat.Overlay, target.Format);
        Assert.Equal(Path.Combine(Overlay.Home, "child", "diff"), target.Directory);
        Assert.Equal([Path.Combine(Overlay.Home, "base", "diff")], target.LowerDirectories);

        var whiteout = Files.Lstat(Path.Combine(target.Directory!, "gone"));
        Assert.Equal((FileKind.CharDevice, 0u, 0u), (whiteout.Kind, whiteout.RdevMajor, whiteout.RdevMinor));
        Assert.Equal("y"u8.ToArray(), Files.GetXattr(Path.Combine(target.Directory!, "dir"), "trusted.overlay.opaque"));
        Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(target.Directory!, "dir")).Select(Path.GetFileName));
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void ABaseLayerMountsItsDiffDirDirectly()
    {
        Driver.Create("base", null);
        WithMount("base", root =>
        {
            Assert.Equal(Path.Combine(Overlay.Home, "base", "merged"), root);
            Assert.True(Mounts.IsMountPoint(root));
            WriteFile(root, "file", "written");
        });
        Assert.Equal("written", File.ReadAllText(Path.Combine(Overlay.Home, "base", "diff", "file")));
        Driver.Remove("base");
    }

    [Fact]
    public void DeepImagesMountWithRelativeShortLinks()
    {
        const int depth = 128;
        string id(int i) => $"{i:d3}-" + new string('x', 60); // 64-character ids, like sha256 hex
        for (int i = 0; i < depth; i++) Driver.Create(id(i), i == 0 ? null : id(i - 1));

        string top = id(depth - 1);
        string lower = File.ReadAllText(Path.Combine(Overlay.Home, top, "lower"));
        var entries = lower.Split(':');
        Assert.Equal(depth - 1, entries.Length);
        Assert.All(entries, e => Assert.Matches($"^l/[A-Z2-7]{{{OverlayMountOptions.LinkLength}}}$", e));
        // The first entry is the parent's link, which resolves to the parent's diff dir.
        string parentLink = File.ReadAllText(Path.Combine(Overlay.Home, id(depth - 2), "link"));
        Assert.Equal("l/" + parentLink, entries[0]);
        Assert.Equal(Path.Combine(Overlay.Home, id(depth - 2), "diff"),
            Path.GetFullPath(Path.Combine(Overlay.Home, "l", File.ResolveLinkTarget(Path.Combine(Overlay.Home, entries[0]), false)!.ToString())));

        WithMount(top, root =>
        {
            string line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == root);
            Assert.Contains(" - overlay ", line);
            Assert.Contains($"lowerdir={lower},", line);
            Assert.Contains($"upperdir={top}/diff,workdir={top}/work", line);
            WriteFile(root, "top", "ok");
        });
        Assert.Equal("ok", File.ReadAllText(Path.Combine(Overlay.Home, top, "diff", "top")));
        for (int i = depth - 1; i >= 0; i--) Driver.Remove(id(i));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Overlay.Home, "l")));
    }

    [Fact]
    public void MountOptionsOfDeepImagesFitOnePage()
    {
        // 13 bytes per lower (":l/" + 10 characters), so ids of up to 128 characters leave room for 128+ layers.
        string id = new('i', 128);
        var links = Enumerable.Range(0, 127).Select(i => $"{i:d10}").ToList();
        string data = OverlayMountOptions.Build(id, links, OverlayProbe.FeaturesOff);
        Assert.True(OverlayMountOptions.Fits(data), $"{data.Length} bytes");
        int fixedPart = OverlayMountOptions.Build(id, [links[0]], OverlayProbe.FeaturesOff).Length;
        Assert.Equal(fixedPart + 126 * 13, data.Length);

        int maxDepth = OverlayMountOptions.MaxDepth(id.Length, OverlayProbe.FeaturesOff);
        Assert.True(maxDepth >= 128, $"max depth {maxDepth}");
        var deepest = Enumerable.Range(0, maxDepth - 1).Select(i => $"{i:d10}").ToList();
        Assert.True(OverlayMountOptions.Fits(OverlayMountOptions.Build(id, deepest, OverlayProbe.FeaturesOff)));
        deepest.Add("0123456789");
        Assert.False(OverlayMountOptions.Fits(OverlayMountOptions.Build(id, deepest, OverlayProbe.FeaturesOff)));
        // With the absolute diff paths overlay2 would otherwise need, 128 layers would not fit.
        Assert.True(127 * $"{Overlay.Home}/{id}/diff:".Length > OverlayMountOptions.MaxLength);
    }

    [Fact]
    public void CreateRefusesALayerWhoseMountOptionsWouldNotFit()
    {
        string id(int i) => $"{i:d4}-" + new string('y', 123); // 128 characters: the longest ids
        int maxDepth = OverlayMountOptions.MaxDepth(128, OverlayProbe.FeaturesOff);
        for (int i = 0; i < maxDepth; i++) Driver.Create(id(i), i == 0 ? null : id(i - 1));
        var refused = Assert.Throws<DriverException>(() => Driver.Create(id(maxDepth), id(maxDepth - 1)));
        Assert.Contains("one-page mount options", refused.Message);
        Assert.Contains($"at most {maxDepth} layers", refused.Message);
        Assert.False(Driver.Exists(id(maxDepth)));
        WithMount(id(maxDepth - 1), root => Assert.True(Mounts.IsMountPoint(root)));
        for (int i = maxDepth - 1; i >= 0; i--) Driver.Remove(id(i));
    }

    [Fact]
    public void NativeDiffGivesTheSameLayerAsComparingTrees()
    {
        Build("base", null, DiffTars.WriteBase);
        Build("child", "base", DiffTars.ChangeChild);
        var native = Overlay.GetNativeDiff("child");
        Assert.NotNull(native);
        Assert.Equal(WhiteoutFormat.Overlay, native.Format);
        DiffTars.AssertEquivalent(Driver, "base", "child", native);
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void NoNativeDiffForALayerMountedWithoutTheFeaturesForcedOff()
    {
        // A kernel that refused redirect_dir=off,metacopy=off,index=off and might use them by default.
        var unsafeKernel = OverlayProbe.For(Overlay.Home) with { FeatureOptions = "", NativeDiff = false };
        using (var driver = OverlayDriver.Open(Overlay.Home, unsafeKernel))
        {
            driver.Create("base", null);
            driver.Create("child", "base");
            Assert.NotNull(driver.GetNativeDiff("child"));
            driver.Mount("child");
            driver.Unmount("child");
            Assert.Null(driver.GetNativeDiff("child"));
            Assert.Contains(driver.Status(), kv => kv is { Key: "Native Overlay Diff", Value: "false" });
            driver.Remove("child");
            driver.Remove("base");
        }
        Assert.Contains(Overlay.Status(), kv => kv is { Key: "Native Overlay Diff", Value: "true" });
    }

    [Fact]
    public void ProbeSupportsThisKernelOnExt4AndTmpfs()
    {
        var here = OverlayProbe.Run(Overlay.Home);
        Assert.True(here.Supported, here.Reason);
        Assert.Equal(OverlayProbe.FeaturesOff, here.FeatureOptions);
        Assert.True(here.NativeDiff);
        Assert.Equal(FileSystems.TypeOf(Overlay.Home), here.BackingFilesystem);
        using var tmpfs = new ScratchMount("tmpfs", "mode=0755");
        var onTmpfs = OverlayProbe.Run(Path.Combine(tmpfs.Path, "home"));
        Assert.True(onTmpfs.Supported, onTmpfs.Reason);
        Assert.Contains("tmpfs", onTmpfs.Reason);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(tmpfs.Path, "home"))); // the test mount cleaned up
    }

    [Fact]
    public void AHomeWhosePathHoldsOptionSeparatorsWorks()
    {
        string scratch = Directory.CreateTempSubdirectory("overlay-test-").FullName;
        string home = Path.Combine(scratch, "odd,name:with=separators");
        try
        {
            var support = OverlayProbe.Run(home);
            Assert.True(support.Supported, support.Reason);
            using var driver = OverlayDriver.Open(home, support);
            driver.Create("base", null);
            driver.Create("child", "base");
            string root = driver.Mount("child");
            try
            {
                File.WriteAllText(Path.Combine(root, "f"), "x");
            }
            finally
            {
                driver.Unmount("child");
            }
            Assert.Equal("x", File.ReadAllText(Path.Combine(home, "child", "diff", "f")));
        }
        finally
        {
            Common.TreeDelete.Delete(scratch);
        }
    }

    [Fact]
    public void ProbeRefusesAFilesystemWithoutTrustedXattrs()
    {
        using var ramfs = new ScratchMount("ramfs", "mode=0755");
        var support = OverlayProbe.Run(Path.Combine(ramfs.Path, "home"));
        Assert.False(support.Supported);
        Assert.Contains("trusted.* xattrs", support.Reason);
        Assert.Contains("ramfs", support.Reason);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(ramfs.Path, "home")));
        Assert.False(new OverlayDriverProvider().Probe(Path.Combine(ramfs.Path, "home")).Supported);
    }

    [Fact]
    public void ProbeRefusesOverlayOnOverlay()
    {
        Build("base", null);
        Driver.Create("child", "base");
        WithMount("child", root =>
        {
            var support = OverlayProbe.Run(Path.Combine(root, "nested-home"));
            Assert.False(support.Supported);
            Assert.Contains("overlayfs", support.Reason);
            Assert.Contains("upper", support.Reason);
        });
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void ReopeningDeletesDanglingLinksOfCrashedRemovals()
    {
        Build("base", null);
        string dangling = Path.Combine(Overlay.Home, "l", "ZZZZZZZZZZ");
        File.CreateSymbolicLink(dangling, "../gone/diff");
        string link = File.ReadAllText(Path.Combine(Overlay.Home, "base", "link"));
        using (OverlayDriver.Open(Overlay.Home, OverlayProbe.For(Overlay.Home)))
        {
        }
        Assert.False(Files.TryLstat(dangling, out _));
        Assert.True(Files.TryLstat(Path.Combine(Overlay.Home, "l", link), out _));
        Driver.Remove("base");
    }
}
