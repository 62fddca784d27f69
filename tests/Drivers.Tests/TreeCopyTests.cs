using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Tests;

public sealed class TreeCopyTests : IDisposable
{
    private readonly ScratchDirectory _directory = new("treecopy-test-");

    private string Scratch => _directory.Path;

    public void Dispose() => _directory.Dispose();

    private static void Populate(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "etc/empty"));
        File.WriteAllText(Path.Combine(root, "etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        File.WriteAllBytes(Path.Combine(root, "big"), Enumerable.Range(0, 3 << 20).Select(i => (byte)(i * 7)).ToArray());
        File.WriteAllText(Path.Combine(root, "suid"), "x");
        Files.Lchown(Path.Combine(root, "suid"), 0, 50); // before chmod: chown clears setuid
        Files.Chmod(Path.Combine(root, "suid"), 0x9ed); // 4755
        Files.SetXattr(Path.Combine(root, "suid"), "security.capability", FileCapabilities.NetBindService);
        Files.Chmod(Path.Combine(root, "etc/empty"), 0x3c0); // 1700
        Files.Lchown(Path.Combine(root, "etc"), 33, 33);
        Files.SetXattr(Path.Combine(root, "etc"), "user.dir", "on a directory"u8);
        Files.HardLink(Path.Combine(root, "etc/passwd"), Path.Combine(root, "passwd-link"));
        File.CreateSymbolicLink(Path.Combine(root, "link"), "etc/passwd");
        Files.Lchown(Path.Combine(root, "link"), 7, 8);
        Files.Mknod(Path.Combine(root, "null"), Files.S_IFCHR | 0x1b6, 1, 3);
        Files.Mknod(Path.Combine(root, "disk"), Files.S_IFBLK | 0x180, 8, 1);
        Files.Mknod(Path.Combine(root, "pipe"), Files.S_IFIFO | 0x180, 0, 0);
        Files.Chmod(root, 0x1c0); // 0700
        Files.SetTimesNoFollow(Path.Combine(root, "etc"), new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero));
    }

    [Fact]
    public void CopiesEveryKindOfEntryWithItsMetadata()
    {
        string source = Path.Combine(Scratch, "source"), copy = Path.Combine(Scratch, "copy");
        Directory.CreateDirectory(source);
        Populate(source);

        TreeCopy.Copy(source, copy);

        var expected = TreeSnapshot.Of(source);
        TreeSnapshot.AssertEqual(expected, TreeSnapshot.Of(copy));
        Assert.Contains("linkgroup=/etc/passwd", expected.LineOf("/passwd-link"));
        Assert.Contains("mode=4755", expected.LineOf("/suid"));
        // Times to the nanosecond; directories' set after their contents were written.
        foreach (string path in new[] { "", "etc", "etc/empty", "big", "link", "pipe" })
        {
            var (a, b) = (Files.Lstat(Path.Combine(source, path)), Files.Lstat(Path.Combine(copy, path)));
            Assert.Equal((a.MtimeSeconds, a.MtimeNanoseconds), (b.MtimeSeconds, b.MtimeNanoseconds));
        }
    }

    [Fact]
    public void RefusesAnExistingDestinationAndAMissingSource()
    {
        string source = Path.Combine(Scratch, "source"), existing = Path.Combine(Scratch, "existing");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(existing);
        File.WriteAllText(Path.Combine(existing, "precious"), "keep");
        Assert.Throws<DriverException>(() => TreeCopy.Copy(source, existing));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(existing, "precious")));
        Assert.Throws<DriverException>(() => TreeCopy.Copy(Path.Combine(Scratch, "missing"), Path.Combine(Scratch, "x")));
        Assert.Throws<DriverException>(() => TreeCopy.Copy(Path.Combine(existing, "precious"), Path.Combine(Scratch, "y")));
    }

    [Fact]
    public void ReflinksFileDataOnXfs()
    {
        // A loop-mounted xfs (reflink is on by default in current xfsprogs).
        string image = Path.Combine(Scratch, "xfs.img"), mount = Path.Combine(Scratch, "xfs");
        using (var file = File.Create(image)) file.SetLength(320L << 20);
        Run("mkfs.xfs", "-q", "-m", "reflink=1", image);
        Directory.CreateDirectory(mount);
        Run("mount", "-o", "loop", image, mount);
        try
        {
            Assert.Equal("xfs", FileSystems.TypeOf(mount));
            Assert.True(TreeCopy.SupportsReflink(mount));
            string source = Path.Combine(mount, "source"), copy = Path.Combine(mount, "copy");
            Directory.CreateDirectory(source);
            Populate(source);

            TreeCopy.Copy(source, copy);

            TreeSnapshot.AssertEqual(TreeSnapshot.Of(source), TreeSnapshot.Of(copy));
            Assert.Contains("shared", Run("filefrag", "-v", Path.Combine(copy, "big")));
        }
        finally
        {
            Run("umount", mount); // the loop device was set up with autoclear by mount(8)
        }
        Assert.Empty(Leaks.LoopDevicesUnder(Scratch));
    }

    private static string Run(string program, params string[] args) =>
        ExternalCommand.Run($"run {program} for a test", program, args);
}
