using Images.Core.Oci;

namespace Images.Archive.Tests;

public sealed class CompressionTests
{
    [Theory]
    [InlineData(new byte[] { 0x1f, 0x8b, 8, 0 }, LayerCompression.Gzip)]
    [InlineData(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }, LayerCompression.Zstd)]
    [InlineData(new byte[] { (byte)'e', (byte)'t', (byte)'c', (byte)'/' }, LayerCompression.None)]
    [InlineData(new byte[] { 0x1f }, LayerCompression.None)]
    [InlineData(new byte[0], LayerCompression.None)]
    public void DetectsByMagic(byte[] header, LayerCompression expected) => Assert.Equal(expected, Compression.Detect(header));

    [Theory]
    [InlineData(LayerCompression.None)]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public void DecompressesWhatItCompressesOnNonSeekableStreams(LayerCompression compression)
    {
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i % 251)).ToArray();
        var blob = new MemoryStream();
        using (var c = Compression.OpenCompressor(blob, compression, leaveOpen: true)) c.Write(payload);
        Assert.True(blob.CanRead); // leaveOpen kept it
        blob.Position = 0;
        using var d = Compression.OpenDecompressed(new NonSeekable(blob));
        var back = new MemoryStream();
        d.CopyTo(back);
        Assert.Equal(payload, back.ToArray());
    }

    [Fact]
    public void EmptyAndTinyStreamsPassThrough()
    {
        using var empty = Compression.OpenDecompressed(new MemoryStream());
        Assert.Equal(-1, empty.ReadByte());
        using var tiny = Compression.OpenDecompressed(new NonSeekable(new MemoryStream([7, 8])));
        var back = new MemoryStream();
        tiny.CopyTo(back);
        Assert.Equal(new byte[] { 7, 8 }, back.ToArray());
    }
}
