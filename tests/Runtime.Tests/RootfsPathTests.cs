using Images.Drivers.Tests;
using Images.Runtime.Builtin;

namespace Images.Runtime.Tests;

public sealed class RootfsPathTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("images-rootfspath-");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Symlinks_resolve_inside_the_rootfs()
    {
        string root = _scratch.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.WriteAllText(Path.Combine(root, "bin/busybox"), "");
        File.CreateSymbolicLink(Path.Combine(root, "bin/sh"), "busybox");
        File.CreateSymbolicLink(Path.Combine(root, "escape"), "/../../etc");
        File.CreateSymbolicLink(Path.Combine(root, "up"), "../../..");
        Assert.Equal(Path.Combine(root, "bin/busybox"), RootfsPath.Resolve(root, "/bin/sh", RootfsPath.Create.None));
        Assert.Equal(Path.Combine(root, "etc/passwd"), RootfsPath.Resolve(root, "/escape/passwd", RootfsPath.Create.File));
        Assert.True(File.Exists(Path.Combine(root, "etc/passwd")));
        Assert.Equal(Path.Combine(root, "x"), RootfsPath.Resolve(root, "/up/x", RootfsPath.Create.Directory));
        Assert.Null(RootfsPath.Resolve(root, "/missing/file", RootfsPath.Create.None));
    }
}
