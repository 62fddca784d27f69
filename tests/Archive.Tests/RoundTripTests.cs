using Images.Core.Oci;

namespace Images.Archive.Tests;

public sealed class RoundTripTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(LayerCompression.None)]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public void TreeSurvivesWriteAndApply(LayerCompression compression)
    {
        string source = _scratch.Dir("source");
        SampleTrees.Rich(source);
        var blob = new MemoryStream();
        using (var compressor = Compression.OpenCompressor(blob, compression, leaveOpen: true))
            LayerWriter.WriteTree(compressor, source);
        Assert.Equal(compression, Compression.Detect(blob.GetBuffer().AsSpan(0, 4)));

        blob.Position = 0;
        using var tar = Compression.OpenDecompressed(new NonSeekable(blob));
        var result = LayerApplier.Apply(tar, _scratch.Target);

        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(_scratch.Target));
        Assert.Equal(TreeSnapshot.Of(source).Count, result.Entries);
        Assert.True(result.ContentBytes >= 300_000);
    }

    [Fact]
    public void GnuTarReadsTheWrittenTarAndItsContentMatches()
    {
        string source = _scratch.Dir("source");
        SampleTrees.Rich(source);
        string tarPath = Path.Combine(_scratch.Root, "layer.tar");
        File.WriteAllBytes(tarPath, SampleTrees.TarOf(source));
        string gnu = _scratch.Dir("gnu");
        Scratch.Run("tar", "--xattrs", "--xattrs-include=*", "--same-owner", "-xpf", tarPath, "-C", gnu);
        Assert.Equal(TreeSnapshot.Of(source, withDirectoryMtimes: false), TreeSnapshot.Of(gnu, withDirectoryMtimes: false));
    }

    [Fact]
    public void TarWrittenByGnuTarApplies()
    {
        string source = _scratch.Dir("source");
        SampleTrees.Rich(source);
        string tarPath = Path.Combine(_scratch.Root, "gnu.tar");
        Scratch.Run("tar", "--format=posix", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-cf", tarPath, "-C", source, ".");
        using (var tar = File.OpenRead(tarPath))
            LayerApplier.Apply(tar, _scratch.Target);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(_scratch.Target));
    }

    [Fact]
    public async Task ApplyAsyncGivesTheSameTree()
    {
        string source = _scratch.Dir("source");
        SampleTrees.Rich(source);
        var result = await LayerApplier.ApplyAsync(new MemoryStream(SampleTrees.TarOf(source)), _scratch.Target);
        Assert.True(result.Entries > 10);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(_scratch.Target));
    }

    [Fact]
    public async Task ApplyAsyncStopsWhenCancelled()
    {
        string source = _scratch.Dir("source");
        SampleTrees.Rich(source);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            LayerApplier.ApplyAsync(new MemoryStream(SampleTrees.TarOf(source)), _scratch.Target, ct: cancelled.Token));
    }

    [Fact]
    public void OwnersAreKeptOnlyWhenAsked()
    {
        string source = _scratch.Dir("source");
        File.WriteAllText(Path.Combine(source, "f"), "x");
        Images.Platform.Files.Lchown(Path.Combine(source, "f"), 4321, 8765);
        LayerApplier.Apply(new MemoryStream(SampleTrees.TarOf(source)), _scratch.Target, new ApplyOptions { RestoreOwners = false });
        var status = Images.Platform.Files.Lstat(Path.Combine(_scratch.Target, "f"));
        Assert.Equal((0u, 0u), (status.Uid, status.Gid));
    }
}

/// <summary>Hides Seek and Length, like a network or pipe stream, and hands out at most 1000 bytes per read.</summary>
internal sealed class NonSeekable(Stream inner) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer) => inner.Read(buffer[..Math.Min(buffer.Length, 1000)]);
}
