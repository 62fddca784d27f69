using System.Formats.Tar;
using System.IO.Compression;

namespace Images.Archive.Tests;

/// <summary>Each hostile or broken layer: a clear error naming the entry, or containment; never a write outside the target.</summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private ArchiveException Refused(Tars tar, string entryInMessage, ApplyOptions? options = null)
    {
        var e = Assert.Throws<ArchiveException>(() => LayerApplier.Apply(tar.Stream(), _scratch.Target, options));
        Assert.Contains(entryInMessage, e.Message);
        _scratch.AssertNothingEscaped();
        return e;
    }

    private string Inside(string rel) => Path.Combine(_scratch.Target, rel);

    [Fact]
    public void DotDotEscapeIsRefused() =>
        Refused(new Tars().File("ok").File("../pwned"), "../pwned");

    [Fact]
    public void DotDotEscapeHiddenInsideAPathIsRefused() =>
        Refused(new Tars().Dir("a/").File("a/../../pwned"), "a/../../pwned");

    [Fact]
    public void DotDotThatStaysInsideIsCleaned()
    {
        LayerApplier.Apply(new Tars().Dir("a/").File("a/../inside", "in").Stream(), _scratch.Target);
        Assert.Equal("in", File.ReadAllText(Inside("inside")));
        _scratch.AssertNothingEscaped();
    }

    [Fact]
    public void AbsoluteNamesAreContainedInTheTarget()
    {
        string absolute = Path.Combine(_scratch.Sentinel, "pwned");
        LayerApplier.Apply(new Tars().File(absolute, "abs").Stream(), _scratch.Target);
        Assert.Equal("abs", File.ReadAllText(Inside(absolute.TrimStart('/'))));
        _scratch.AssertNothingEscaped();
    }

    [Fact]
    public void WritingThroughAnAbsoluteSymlinkStaysInside()
    {
        LayerApplier.Apply(new Tars().Symlink("evil", _scratch.Sentinel).File("evil/pwned", "through").Stream(), _scratch.Target);
        Assert.Equal("through", File.ReadAllText(Inside(_scratch.Sentinel.TrimStart('/') + "/pwned")));
        _scratch.AssertNothingEscaped();
    }

    [Fact]
    public void WritingThroughARelativeSymlinkStaysInside()
    {
        LayerApplier.Apply(new Tars().Dir("d/").Symlink("d/evil", "../../../../../../sentinel").File("d/evil/pwned", "rel").Stream(), _scratch.Target);
        Assert.Equal("rel", File.ReadAllText(Inside("sentinel/pwned")));
        _scratch.AssertNothingEscaped();
    }

    [Fact]
    public void SymlinkChainsResolveInsideTheTarget()
    {
        var tar = new Tars()
            .Symlink("a", "b")
            .Symlink("b", "c/../../..")
            .Dir("c/")
            .Symlink("c/up", "/../../" + _scratch.Root.TrimStart('/'))
            .File("a/pwned", "1")
            .File("c/up/sentinel/pwned", "2");
        LayerApplier.Apply(tar.Stream(), _scratch.Target);
        Assert.Equal("1", File.ReadAllText(Inside("pwned")));
        Assert.Equal("2", File.ReadAllText(Inside(_scratch.Root.TrimStart('/') + "/sentinel/pwned")));
        _scratch.AssertNothingEscaped();
    }

    [Fact]
    public void SymlinkLoopIsRefused() =>
        Refused(new Tars().Symlink("loop1", "loop2").Symlink("loop2", "loop1").File("loop1/pwned"), "loop1/pwned");

    [Fact]
    public void ReplacingASymlinkDoesNotFollowIt()
    {
        // The final component is never followed: a file entry replaces the symlink itself.
        LayerApplier.Apply(new Tars().Symlink("pwned", Path.Combine(_scratch.Sentinel, "keep")).File("pwned", "replaced").Stream(), _scratch.Target);
        Assert.Equal("replaced", File.ReadAllText(Inside("pwned")));
        Assert.Null(new FileInfo(Inside("pwned")).LinkTarget);
        _scratch.AssertNothingEscaped();
    }

    [Fact]
    public void HardLinkClimbingOutIsRefused() =>
        Refused(new Tars().HardLink("pwned", "../sentinel/keep"), "pwned");

    [Fact]
    public void HardLinkToAnAbsolutePathOutsideIsRefused() =>
        Refused(new Tars().HardLink("pwned", Path.Combine(_scratch.Sentinel, "keep")), "pwned");

    [Fact]
    public void HardLinkThroughASymlinkToOutsideIsRefused() =>
        Refused(new Tars().Symlink("s", _scratch.Sentinel).HardLink("pwned", "s/keep"), "pwned");

    [Theory]
    [InlineData("dir/.wh...")]
    [InlineData("dir/.wh..")]
    [InlineData(".wh./")]
    public void WhiteoutNamingNothingRealIsRefused(string name)
    {
        Directory.CreateDirectory(Inside("dir"));
        File.WriteAllText(Inside("dir/file"), "stays");
        Refused(new Tars().Dir("dir/").File(name, ""), name.TrimEnd('/'));
        Assert.Equal("stays", File.ReadAllText(Inside("dir/file")));
    }

    [Fact]
    public void WhiteoutThroughASymlinkToOutsideRemovesNothingOutside()
    {
        LayerApplier.Apply(new Tars().Symlink("s", _scratch.Sentinel).File("s/.wh.keep", "").Stream(), _scratch.Target);
        _scratch.AssertNothingEscaped();
    }

    [Fact]
    public void TooManyBytesIsRefusedAsABomb()
    {
        var zeros = new string('\0', 1 << 20);
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(new Tars().File("pwned", zeros).Bytes());
        Assert.True(compressed.Length < 10_000);
        compressed.Position = 0;
        using var tar = Compression.OpenDecompressed(compressed);
        var e = Assert.Throws<ArchiveException>(() => LayerApplier.Apply(tar, _scratch.Target, new ApplyOptions { MaxBytes = 100_000 }));
        Assert.Contains("MaxBytes", e.Message);
        Assert.Contains("pwned", e.Message);
        Assert.False(File.Exists(Inside("pwned")));
    }

    [Fact]
    public void TooManyEntriesIsRefused()
    {
        var tar = new Tars();
        for (int i = 0; i < 10; i++) tar.File($"f{i}");
        var e = Refused(tar, "f5", new ApplyOptions { MaxEntries = 5 });
        Assert.Contains("MaxEntries", e.Message);
    }

    [Theory]
    [InlineData(0.6)] // inside file data
    [InlineData(0.3)] // inside a header
    public void TruncatedTarIsAnError(double keep)
    {
        var tar = new Tars().File("a", new string('a', 4000)).File("b", new string('b', 4000)).File("c", new string('c', 4000)).Bytes();
        int cut = (int)(tar.Length * keep) / 512 * 512 + 100;
        var e = Assert.Throws<ArchiveException>(() => LayerApplier.Apply(new NonSeekable(new MemoryStream(tar[..cut])), _scratch.Target));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedGzipIsAnError()
    {
        var compressed = new MemoryStream();
        using (var gzip = Compression.OpenCompressor(compressed, Images.Core.Oci.LayerCompression.Gzip, leaveOpen: true))
            gzip.Write(new Tars().File("a", string.Concat(Enumerable.Range(0, 20000).Select(i => i.ToString()))).Bytes());
        var cut = compressed.ToArray()[..(int)(compressed.Length / 2)];
        Assert.ThrowsAny<Exception>(() =>
        {
            using var tar = Compression.OpenDecompressed(new MemoryStream(cut));
            LayerApplier.Apply(tar, _scratch.Target);
        });
    }

    [Fact]
    public void DuplicateEntriesLastOneWins()
    {
        var tar = new Tars()
            .File("f", "first").File("f", "second")
            .File("d", "file first").Dir("d/").File("d/inner", "in dir")
            .Dir("x/").File("x/child").File("x", "file replaces dir");
        LayerApplier.Apply(tar.Stream(), _scratch.Target);
        Assert.Equal("second", File.ReadAllText(Inside("f")));
        Assert.Equal("in dir", File.ReadAllText(Inside("d/inner")));
        Assert.Equal("file replaces dir", File.ReadAllText(Inside("x")));
    }

    [Fact]
    public void ParentThatIsAFileIsRefused() =>
        Refused(new Tars().File("plain").File("plain/pwned"), "plain/pwned");

    [Fact]
    public void UnsupportedEntryTypeIsRefused()
    {
        var tar = new Tars(TarEntryFormat.Ustar).Add(TarEntryType.RegularFile, "pwned", "", format: TarEntryFormat.Ustar).Bytes();
        tar[156] = (byte)'N'; // GNU "old long name", which nothing here supports
        var header = tar.AsSpan(0, 512);
        header.Slice(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in header) sum += b;
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header.Slice(148, 8));
        Assert.Throws<ArchiveException>(() => LayerApplier.Apply(new MemoryStream(tar), _scratch.Target));
        _scratch.AssertNothingEscaped();
        Assert.Empty(Directory.GetFileSystemEntries(_scratch.Target));
    }
}
