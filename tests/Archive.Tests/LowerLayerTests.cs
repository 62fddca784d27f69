using Images.Core.Layers;
using Images.Platform;

namespace Images.Archive.Tests;

/// <summary>Applying into a diff directory that holds only this layer, with the lower layers' diff directories given.</summary>
public sealed class LowerLayerTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void HardLinkToALowerFileCopiesItUpFirst()
    {
        string lower = _scratch.Dir("lower");
        Directory.CreateDirectory(Path.Combine(lower, "usr/bin"));
        File.WriteAllText(Path.Combine(lower, "usr/bin/tool"), "lower content");
        Files.Lchown(Path.Combine(lower, "usr/bin/tool"), 42, 43);
        Files.Chmod(Path.Combine(lower, "usr/bin/tool"), 0x1ed);
        Files.Lchown(Path.Combine(lower, "usr/bin"), 7, 8);
        Files.Chmod(Path.Combine(lower, "usr/bin"), 0x1e8); // 0750

        var options = new ApplyOptions { Whiteouts = WhiteoutFormat.Overlay, LowerDirectories = [lower] };
        LayerApplier.Apply(new Tars().HardLink("usr/bin/alias", "usr/bin/tool").Stream(), _scratch.Target, options);

        string copy = Path.Combine(_scratch.Target, "usr/bin/tool");
        string link = Path.Combine(_scratch.Target, "usr/bin/alias");
        Assert.Equal("lower content", File.ReadAllText(link));
        var copied = Files.Lstat(copy);
        Assert.Equal(copied.Inode, Files.Lstat(link).Inode);
        Assert.Equal((42u, 43u, 0x1edu), (copied.Uid, copied.Gid, copied.Permissions));
        var dir = Files.Lstat(Path.Combine(_scratch.Target, "usr/bin")); // implied parent takes the lower one's owner and mode
        Assert.Equal((7u, 8u, 0x1e8u), (dir.Uid, dir.Gid, dir.Permissions));
        Assert.Equal("lower content", File.ReadAllText(Path.Combine(lower, "usr/bin/tool")));
        Assert.Equal(1u, Files.Lstat(Path.Combine(lower, "usr/bin/tool")).LinkCount); // the lower layer is untouched
    }

    [Fact]
    public void HardLinkToAFileNoLayerHasIsRefused()
    {
        string lower = _scratch.Dir("lower");
        var options = new ApplyOptions { Whiteouts = WhiteoutFormat.Overlay, LowerDirectories = [lower] };
        var e = Assert.Throws<ArchiveException>(() => LayerApplier.Apply(new Tars().HardLink("pwned", "missing").Stream(), _scratch.Target, options));
        Assert.Contains("missing", e.Message);
    }
}
