using Images.Core.Layers;
using Images.Platform;

namespace Images.Archive.Tests;

public sealed class WhiteoutTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string Inside(string rel) => Path.Combine(_scratch.Target, rel);

    /// <summary>A lower layer: /dir/{old,sub/deep}, /gone, /keep.</summary>
    private void Lower()
    {
        LayerApplier.Apply(new Tars().Dir("dir/").File("dir/old").Dir("dir/sub/").File("dir/sub/deep").File("gone").File("keep").Stream(), _scratch.Target);
    }

    private static ApplyOptions Format(WhiteoutFormat f) => new() { Whiteouts = f };

    [Fact]
    public void AppliedWhiteoutDeletesTheLowerEntry()
    {
        Lower();
        LayerApplier.Apply(new Tars().File(".wh.gone", "").File("dir/.wh.sub", "").Stream(), _scratch.Target);
        Assert.False(File.Exists(Inside("gone")));
        Assert.False(Directory.Exists(Inside("dir/sub")));
        Assert.True(File.Exists(Inside("keep")));
        Assert.False(File.Exists(Inside(".wh.gone")));
    }

    [Fact]
    public void AppliedWhiteoutOfAMissingEntryIsHarmless()
    {
        Lower();
        LayerApplier.Apply(new Tars().File("nodir/.wh.nothing", "").File(".wh.nothing", "").Stream(), _scratch.Target);
        Assert.False(Directory.Exists(Inside("nodir")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AppliedOpaqueDirectoryKeepsOnlyThisLayersEntriesWhateverTheOrder(bool markerFirst)
    {
        Lower();
        var tar = new Tars().Dir("dir/");
        if (markerFirst) tar.File("dir/.wh..wh..opq", "");
        tar.File("dir/new", "n").Dir("dir/sub/").File("dir/sub/fresh", "f");
        if (!markerFirst) tar.File("dir/.wh..wh..opq", "");
        LayerApplier.Apply(tar.Stream(), _scratch.Target);
        Assert.Equal(["new", "sub"], Names("dir"));
        Assert.Equal(["fresh"], Names("dir/sub"));
    }

    [Fact]
    public void WhiteoutDoesNotRemoveWhatTheSameLayerAdds()
    {
        Lower();
        LayerApplier.Apply(new Tars().File("gone", "re-added").File(".wh.gone", "").Dir("dir/").File("dir/mine", "m").File(".wh.dir", "").Stream(), _scratch.Target);
        Assert.Equal("re-added", File.ReadAllText(Inside("gone")));
        Assert.Equal(["mine"], Names("dir")); // the layer's dir stays, the lower content under it goes
    }

    [Fact]
    public void WhiteoutThenReAddGivesAFreshEntry()
    {
        Lower();
        LayerApplier.Apply(new Tars().File(".wh.dir", "").Dir("dir/").File("dir/only", "o").Stream(), _scratch.Target);
        Assert.Equal(["only"], Names("dir"));
    }

    [Fact]
    public void AufsKeepsWhiteoutFilesAsTheyCome()
    {
        LayerApplier.Apply(new Tars().Dir("dir/").File("dir/.wh..wh..opq", "").File(".wh.gone", "").File("dir/x").Stream(), _scratch.Target, Format(WhiteoutFormat.Aufs));
        Assert.True(File.Exists(Inside("dir/.wh..wh..opq")));
        Assert.True(File.Exists(Inside(".wh.gone")));
        Assert.True(File.Exists(Inside("dir/x")));
    }

    [Fact]
    public void OverlayWritesDevicesAndOpaqueXattrs()
    {
        var tar = new Tars().Dir("dir/").File("dir/.wh..wh..opq", "").File("dir/x").File(".wh.gone", "").File("sub/.wh.deep", "");
        LayerApplier.Apply(tar.Stream(), _scratch.Target, Format(WhiteoutFormat.Overlay));
        Assert.True(Whiteouts.IsOverlayOpaque(Inside("dir")));
        Assert.True(Whiteouts.IsOverlayWhiteout(Files.Lstat(Inside("gone"))));
        Assert.True(Whiteouts.IsOverlayWhiteout(Files.Lstat(Inside("sub/deep"))));
        Assert.False(File.Exists(Inside(".wh.gone")));
        Assert.False(File.Exists(Inside("dir/.wh..wh..opq")));
    }

    [Fact]
    public void OverlayDirectoryReplacingAWhiteoutIsOpaque()
    {
        LayerApplier.Apply(new Tars().File(".wh.d", "").Dir("d/").File("d/new").Stream(), _scratch.Target, Format(WhiteoutFormat.Overlay));
        Assert.Equal(FileKind.Directory, Files.Lstat(Inside("d")).Kind);
        Assert.True(Whiteouts.IsOverlayOpaque(Inside("d")));
    }

    [Fact]
    public void OverlayTarXattrsOfTheDriverAreIgnored()
    {
        var tar = new Tars().Add(System.Formats.Tar.TarEntryType.Directory, "d/", mode: 0x1ed,
            pax: new Dictionary<string, string> { ["SCHILY.xattr.trusted.overlay.opaque"] = "y" });
        LayerApplier.Apply(tar.Stream(), _scratch.Target, Format(WhiteoutFormat.Overlay));
        Assert.False(Whiteouts.IsOverlayOpaque(Inside("d")));
    }

    [Theory]
    [InlineData(WhiteoutFormat.Aufs)]
    [InlineData(WhiteoutFormat.Overlay)]
    public void NativeDiffDirectoryWritesOciWhiteouts(WhiteoutFormat format)
    {
        // Make a diff directory in `format` by applying an OCI tar, write it back: same OCI entries.
        string diff = _scratch.Dir("diff");
        var oci = new Tars().Dir("dir/").File("dir/.wh..wh..opq", "").File("dir/x", "x").File(".wh.gone", "");
        LayerApplier.Apply(oci.Stream(), diff, Format(format));
        var written = new MemoryStream();
        LayerWriter.WriteDiffDirectory(written, diff, format);
        written.Position = 0;
        var names = new List<string>();
        using (var reader = new System.Formats.Tar.TarReader(written))
            while (reader.GetNextEntry() is { } e)
            {
                names.Add(e.Name);
                if (e is System.Formats.Tar.PaxTarEntry pax) Assert.DoesNotContain(pax.ExtendedAttributes.Keys, k => k.Contains("overlay"));
            }
        Assert.Equal([".wh.gone", "dir/", "dir/.wh..wh..opq", "dir/x"], names);
    }

    [Fact]
    public void WhiteoutNamingHelpers()
    {
        Assert.Equal(".wh.a", Whiteouts.NameFor("a"));
        Assert.Throws<ArgumentException>(() => Whiteouts.NameFor("a/b"));
        Assert.True(Whiteouts.TryGetRemovedName(".wh.a", out var removed));
        Assert.Equal("a", removed);
        Assert.False(Whiteouts.TryGetRemovedName(Whiteouts.OpaqueMarker, out _));
        Assert.False(Whiteouts.TryGetRemovedName("a", out _));
        Assert.True(Whiteouts.IsMeta(".wh..wh.plnk"));
        Assert.False(Whiteouts.IsMeta(Whiteouts.OpaqueMarker));
    }

    private string[] Names(string rel) =>
        [.. Directory.GetFileSystemEntries(Inside(rel)).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];
}
