using Images.Drivers.Vfs;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>What a vfs driver finds after a crash and how opening it again sets things right.</summary>
public sealed class VfsRecoveryTests : IDisposable
{
    // No process has this pid (pid_max is at most 2^22), so its staging leftovers are abandoned.
    private const int DeadPid = int.MaxValue;

    private readonly VfsEnvironment _env = new();

    public void Dispose()
    {
        _env.Dispose();
        Leaks.AssertNoneUnder(_env.Scratch);
    }

    private string LayersDir => Path.Combine(_env.Home, "dir");
    private string MetaDir => Path.Combine(_env.Home, "meta");

    [Fact]
    public void OpeningAgainDeletesHalfCreatedLayersOfDeadProcesses()
    {
        _env.Driver.Create("kept", null);
        string abandoned = Path.Combine(LayersDir, $".tmp-{DeadPid}-half-0123");
        Directory.CreateDirectory(Path.Combine(abandoned, "usr/lib"));
        File.WriteAllText(Path.Combine(abandoned, "usr/lib/partial"), "half");
        string live = Path.Combine(LayersDir, $".tmp-{Environment.ProcessId}-busy-4567");
        Directory.CreateDirectory(live);
        File.WriteAllText(Path.Combine(MetaDir, "half"), "");                       // record written, dir never renamed
        File.WriteAllText(Path.Combine(MetaDir, "busy"), "kept");                   // being created by a live process
        File.WriteAllText(Path.Combine(MetaDir, $".tmp-{DeadPid}-x-89ab"), "kept"); // temp record of a dead writer

        using var reopened = VfsDriver.Open(_env.Home);

        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(live), "a staging dir of a live process must be left alone");
        Assert.True(File.Exists(Path.Combine(MetaDir, "busy")), "the record of a layer a live process is creating must stay");
        Assert.False(File.Exists(Path.Combine(MetaDir, "half")));
        Assert.False(File.Exists(Path.Combine(MetaDir, $".tmp-{DeadPid}-x-89ab")));
        Assert.False(reopened.Exists("half"));
        Assert.True(reopened.Exists("kept"));
        Assert.Null(reopened.ParentOf("kept"));
        Assert.Equal("1", reopened.Status().Single(kv => kv.Key == "Layers").Value);
        Directory.Delete(live);
        File.Delete(Path.Combine(MetaDir, "busy"));
    }

    [Fact]
    public void OpeningAgainFinishesAnInterruptedRemove()
    {
        _env.Driver.Create("base", null);
        _env.Driver.Create("gone", "base");
        // Crash right after Remove renamed the layer away.
        Directory.Move(Path.Combine(LayersDir, "gone"), Path.Combine(LayersDir, "gone-removing"));

        using var reopened = VfsDriver.Open(_env.Home);

        Assert.False(Directory.Exists(Path.Combine(LayersDir, "gone-removing")));
        Assert.False(reopened.Exists("gone"));
        Assert.False(File.Exists(Path.Combine(MetaDir, "gone")));
        reopened.Remove("base"); // its child record is gone with the child
        Assert.False(reopened.Exists("base"));
    }

    [Fact]
    public void ACreateThatFailsMidCopyLeavesNothingBehind()
    {
        // A 1 MiB tmpfs: copying a 600 KB parent runs out of space half way.
        string small = Path.Combine(_env.Scratch, "small");
        Directory.CreateDirectory(small);
        Mounts.Mount("tmpfs", small, "tmpfs", Mounts.MS_NODEV, "size=1m");
        try
        {
            string home = Path.Combine(small, "home");
            using var driver = VfsDriver.Open(home);
            driver.Create("base", null);
            string root = driver.Mount("base");
            File.WriteAllBytes(Path.Combine(root, "a"), new byte[300_000]);
            File.WriteAllBytes(Path.Combine(root, "b"), new byte[300_000]);
            driver.Unmount("base");
            var before = Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories);

            Assert.ThrowsAny<IOException>(() => driver.Create("child", "base"));

            Assert.False(driver.Exists("child"));
            Assert.Equal(before, Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories));
            driver.Remove("base"); // no child record was left to block it
        }
        finally
        {
            Mounts.Unmount(small);
        }
    }

    [Fact]
    public void ASizeLimitIsRefusedBeforeAnythingIsWritten()
    {
        _env.Driver.Create("base", null);
        var before = Directory.GetFileSystemEntries(_env.Home, "*", SearchOption.AllDirectories);
        var refused = Assert.Throws<DriverException>(
            () => _env.Driver.Create("child", "base", new CreateOptions { SizeLimit = 1 << 20 }));
        Assert.Contains("size limit", refused.Message);
        Assert.Equal(before, Directory.GetFileSystemEntries(_env.Home, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void StatusReportsLayerCountAndReflink()
    {
        _env.Driver.Create("a", null);
        _env.Driver.Create("b", "a");
        var status = _env.Driver.Status().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("tmpfs", status["Backing Filesystem"]);
        Assert.Equal("2", status["Layers"]);
        Assert.Equal("no", status["Reflink"]); // tmpfs cannot share extents
    }
}
