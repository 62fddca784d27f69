using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Tests;

public sealed class AtomicDirectoriesTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("atomicdirs-test-");

    private string Parent => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void CreateNeverReplacesAnExistingDirectoryEvenAnEmptyOne()
    {
        Directory.CreateDirectory(Path.Combine(Parent, "taken"));
        var e = Assert.Throws<DriverException>(() => AtomicDirectories.Create(Parent, "taken", staging =>
        {
            Directory.CreateDirectory(staging);
            File.WriteAllText(Path.Combine(staging, "new"), "new");
        }));
        Assert.Contains("exists already", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Parent, "taken")));
        Assert.Equal(["taken"], Directory.GetFileSystemEntries(Parent).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailingFillLeavesNoStagingBehind()
    {
        Assert.Throws<InvalidDataException>(() => AtomicDirectories.Create(Parent, "x", staging =>
        {
            Directory.CreateDirectory(Path.Combine(staging, "deep"));
            throw new InvalidDataException("fill failed");
        }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Parent));
    }

    [Fact]
    public void RemoveRenamesAwayThenDeletes()
    {
        AtomicDirectories.Create(Parent, "layer", staging => Directory.CreateDirectory(Path.Combine(staging, "a/b")));
        Assert.True(AtomicDirectories.Remove(Parent, "layer"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Parent));
        Assert.False(AtomicDirectories.Remove(Parent, "layer"));
    }

    [Fact]
    public void DeletingRefusesToReachIntoAMountInside()
    {
        string tree = Path.Combine(Parent, "tree"), inner = Path.Combine(tree, "sub", "mnt");
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
