using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Tests;

public sealed class AtomicDirectoriesTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("atomicdirs-test-").FullName;

    public void Dispose()
    {
        foreach (string mount in Leaks.MountsUnder(_parent).Reverse()) Mounts.Unmount(mount, detach: true);
        Directory.Delete(_parent, recursive: true);
    }

    [Fact]
    public void CreateNeverReplacesAnExistingDirectoryEvenAnEmptyOne()
    {
        Directory.CreateDirectory(Path.Combine(_parent, "taken"));
        var e = Assert.Throws<DriverException>(() => AtomicDirectories.Create(_parent, "taken", staging =>
        {
            Directory.CreateDirectory(staging);
            File.WriteAllText(Path.Combine(staging, "new"), "new");
        }));
        Assert.Contains("exists already", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_parent, "taken")));
        Assert.Equal(["taken"], Directory.GetFileSystemEntries(_parent).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailingFillLeavesNoStagingBehind()
    {
        Assert.Throws<InvalidDataException>(() => AtomicDirectories.Create(_parent, "x", staging =>
        {
            Directory.CreateDirectory(Path.Combine(staging, "deep"));
            throw new InvalidDataException("fill failed");
        }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_parent));
    }

    [Fact]
    public void RemoveRenamesAwayThenDeletes()
    {
        AtomicDirectories.Create(_parent, "layer", staging => Directory.CreateDirectory(Path.Combine(staging, "a/b")));
        Assert.True(AtomicDirectories.Remove(_parent, "layer"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_parent));
        Assert.False(AtomicDirectories.Remove(_parent, "layer"));
    }

    [Fact]
    public void DeletingRefusesToReachIntoAMountInside()
    {
        string tree = Path.Combine(_parent, "tree"), inner = Path.Combine(tree, "sub", "mnt");
        Directory.CreateDirectory(inner);
        Mounts.Mount("tmpfs", inner, "tmpfs", 0, null);
        File.WriteAllText(Path.Combine(inner, "precious"), "keep");
        var e = Assert.Throws<DriverException>(() => TreeDelete.Delete(tree));
        Assert.Contains(inner, e.Message);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(inner, "precious")));
        Mounts.Unmount(inner);
        TreeDelete.Delete(tree);
        Assert.False(Directory.Exists(tree));
    }
}
