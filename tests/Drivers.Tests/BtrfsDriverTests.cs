using Images.Drivers.Btrfs;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>The conformance suite and btrfs's own promises, on a loop-mounted btrfs image made for each test.</summary>
public sealed class BtrfsDriverTests : DriverConformance
{
    protected override IDriverEnvironment CreateEnvironment() => new BtrfsEnvironment();

    private BtrfsDriver Btrfs => (BtrfsDriver)Driver;

    [Fact]
    public void EachLayerIsASubvolumeAndAChildIsASnapshot()
    {
        Build("base", null, root => WriteFile(root, "data", "base"));
        Driver.Create("child", "base");
        string baseRoot = Driver.Mount("base");
        string childRoot = Driver.Mount("child");
        try
        {
            Assert.True(BtrfsSubvolumes.IsSubvolume(baseRoot));
            Assert.True(BtrfsSubvolumes.IsSubvolume(childRoot));
            // A snapshot keeps inode numbers: the child's file is the parent's until written.
            Assert.Equal(Files.Lstat(Path.Combine(baseRoot, "data")).Inode, Files.Lstat(Path.Combine(childRoot, "data")).Inode);
            Assert.Equal(0, Driver.DiffSize("child"));
            WriteFile(childRoot, "more", new string('m', 5000));
            Assert.Equal(5000, Driver.DiffSize("child"));
        }
        finally
        {
            Driver.Unmount("child");
            Driver.Unmount("base");
        }
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void ASealedLayerIsReadOnlyAndItsChildIsWritable()
    {
        Driver.Create("base", null);
        Assert.False(Btrfs.IsSealed("base"));
        WithMount("base", root => WriteFile(root, "kept", "kept"));
        Driver.Seal("base");
        Assert.True(Btrfs.IsSealed("base"));
        WithMount("base", root =>
        {
            var write = Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(root, "new"), "x"));
            Assert.Contains("Read-only file system", write.Message);
            Assert.ThrowsAny<IOException>(() => File.AppendAllText(Path.Combine(root, "kept"), "more"));
            Assert.ThrowsAny<IOException>(() => File.Delete(Path.Combine(root, "kept")));
            Assert.Equal("kept", File.ReadAllText(Path.Combine(root, "kept")));
        });
        Driver.Create("child", "base");
        Assert.False(Btrfs.IsSealed("child"));
        WithMount("child", root =>
        {
            File.AppendAllText(Path.Combine(root, "kept"), " and changed");
            Assert.Equal("kept and changed", File.ReadAllText(Path.Combine(root, "kept")));
        });
        Driver.Remove("child");
        Driver.Remove("base"); // a read-only subvolume is removable
        Assert.False(Driver.Exists("base"));
    }

    [Fact]
    public void ASizeLimitIsEnforcedByAQgroup()
    {
        const long limit = 16L << 20;
        Driver.Create("limited", null, new CreateOptions { SizeLimit = limit });
        Driver.Create("free", null);
        WithMount("limited", root =>
        {
            var chunk = new byte[1 << 20];
            Random.Shared.NextBytes(chunk);
            var full = Assert.ThrowsAny<IOException>(() =>
            {
                using var file = new FileStream(Path.Combine(root, "big"), FileMode.CreateNew, FileAccess.Write);
                for (int i = 0; i < 64; i++)
                {
                    file.Write(chunk);
                    file.Flush(flushToDisk: true);
                }
            });
            Assert.True(full.HResult is 122 /* EDQUOT */ or 28 /* ENOSPC */ || full.Message.Contains("quota") || full.Message.Contains("space"),
                $"expected EDQUOT or ENOSPC, got {full.HResult}: {full.Message}");
            Assert.True(new FileInfo(Path.Combine(root, "big")).Length <= limit);
        });
        // Other layers are not limited.
        WithMount("free", root =>
        {
            using var file = new FileStream(Path.Combine(root, "big"), FileMode.CreateNew, FileAccess.Write);
            var chunk = new byte[1 << 20];
            for (int i = 0; i < 32; i++) file.Write(chunk);
            file.Flush(flushToDisk: true);
        });
        Driver.Remove("free");
        Driver.Remove("limited");
    }

    [Fact]
    public void IsNotSupportedOffBtrfsAndSaysWhy()
    {
        string ext4 = Directory.CreateTempSubdirectory("btrfs-probe-").FullName;
        try
        {
            Assert.NotEqual(BtrfsSubvolumes.SuperMagic, FileSystems.Stat(ext4).Magic);
            var support = new BtrfsDriverProvider().Probe(Path.Combine(ext4, "drivers", "btrfs"));
            Assert.False(support.Supported);
            Assert.Contains(FileSystems.TypeOf(ext4), support.Reason);
            Assert.Contains("not btrfs", support.Reason);
            var open = Assert.Throws<DriverException>(() => BtrfsDriver.Open(Path.Combine(ext4, "home")));
            Assert.Contains("not btrfs", open.Message);
            Assert.False(Directory.Exists(Path.Combine(ext4, "home")));

            Assert.True(new BtrfsDriverProvider().Probe(Path.Combine(Env.Home, "not", "yet")).Supported);
        }
        finally
        {
            Directory.Delete(ext4, recursive: true);
        }
    }

    [Fact]
    public void ReopeningKeepsLayersAndDropsCrashLeftovers()
    {
        Build("base", null, root => WriteFile(root, "x", "x"));
        Driver.Create("child", "base");
        // A snapshot a dead process left mid-create (staging name with a pid that no longer exists).
        string leftover = Path.Combine(Env.Home, "subvolumes", ".tmp-999999999-ghost-0123");
        BtrfsSubvolumes.Snapshot(Path.Combine(Env.Home, "subvolumes", "base"), leftover, readOnly: true);
        using (var reopened = BtrfsDriver.Open(Env.Home))
        {
            Assert.False(Directory.Exists(leftover));
            Assert.Equal("base", reopened.ParentOf("child"));
            Assert.True(reopened.IsSealed("base"));
            Assert.Equal("x", File.ReadAllText(Path.Combine(reopened.Mount("child"), "x")));
            reopened.Unmount("child");
        }
        Driver.Remove("child");
        Driver.Remove("base");
    }
}

/// <summary>A btrfs driver whose home is on a fresh 1 GiB btrfs image (sparse, on the temp dir), loop-mounted.</summary>
public sealed class BtrfsEnvironment : IDriverEnvironment
{
    private readonly LoopMountedImage _image;
    private readonly BtrfsDriver _driver;

    public BtrfsEnvironment()
    {
        _image = LoopMountedImage.Create("btrfs-test-", "btrfs", 1L << 30, "mkfs.btrfs", "-q", "-f");
        try
        {
            Home = Path.Combine(_image.MountPoint, "home");
            _driver = BtrfsDriver.Open(Home);
        }
        catch
        {
            _image.Dispose();
            throw;
        }
    }

    public IGraphDriver Driver => _driver;

    public string Home { get; }

    public void Dispose()
    {
        try
        {
            _driver.Dispose();
        }
        finally
        {
            _image.Dispose();
        }
    }
}
