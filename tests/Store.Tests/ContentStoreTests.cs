using System.Security.Cryptography;
using Images.Core.Digests;
using Images.Store.Content;

namespace Images.Store.Tests;

public sealed class ContentStoreTests : IDisposable
{
    private readonly TestStore _t = new();
    private IContentStore Content => _t.Store.Content;
    private string Ingest => _t.Store.Paths.Ingest;

    public void Dispose() => _t.Dispose();

    private static byte[] RandomBytes(int n) => RandomNumberGenerator.GetBytes(n);

    [Fact]
    public void Write_StoresBlobUnderItsDigest_AndReadsItBack()
    {
        var data = RandomBytes(300_000);
        var info = Content.Write(new MemoryStream(data));

        Assert.Equal(Digest.Compute(data), info.Digest);
        Assert.Equal(data.Length, info.Size);
        Assert.True(Content.Exists(info.Digest));
        Assert.Equal(info, Content.Info(info.Digest));
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(_t.Root, "content", "blobs", "sha256", info.Digest.Encoded)));
        using var read = Content.OpenRead(info.Digest);
        var back = new MemoryStream();
        read.CopyTo(back);
        Assert.Equal(data, back.ToArray());
        Assert.Equal([info], Content.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Ingest));
    }

    [Fact]
    public void Write_WithWrongDigest_StoresNothing_AndNamesBothDigests()
    {
        var data = RandomBytes(1000);
        var wrong = Digest.Compute(RandomBytes(10));

        var e = Assert.Throws<DigestMismatchException>(() => Content.Write(new MemoryStream(data), wrong));

        Assert.Contains(wrong.ToString(), e.Message);
        Assert.Contains(Digest.Compute(data).ToString(), e.Message);
        Assert.Empty(Content.List());
        Assert.False(Content.Exists(Digest.Compute(data)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Ingest));
    }

    [Theory]
    [InlineData(999)]
    [InlineData(1001)]
    public void Write_WithWrongSize_StoresNothing(long expectedSize)
    {
        var data = RandomBytes(1000);

        var e = Assert.Throws<DigestMismatchException>(() => Content.Write(new MemoryStream(data), Digest.Compute(data), expectedSize));

        Assert.Contains(expectedSize.ToString(), e.Message);
        Assert.Empty(Content.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Ingest));
    }

    [Fact]
    public void Write_Sha512_HashesWithTheExpectedAlgorithm()
    {
        var data = RandomBytes(5000);
        var expected = Digest.Compute(data, Digest.Sha512);

        var info = Content.Write(new MemoryStream(data), expected, data.Length);

        Assert.Equal(expected, info.Digest);
        Assert.True(File.Exists(Path.Combine(_t.Root, "content", "blobs", "sha512", expected.Encoded)));
        Assert.Equal(data, Content.ReadAllBytes(expected));
        Assert.Throws<DigestMismatchException>(() => Content.Write(new MemoryStream(data), Digest.Compute(RandomBytes(3), Digest.Sha512)));
    }

    [Fact]
    public void ConcurrentWritersOfOneBlob_AllSucceed_AcrossStoreInstances()
    {
        var data = RandomBytes(2 << 20);
        var expected = Digest.Compute(data);
        using var second = _t.OpenSecond();
        var stores = new[] { _t.Store.Content, second.Content };
        using var start = new Barrier(8);

        var results = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            return stores[i % 2].Write(new MemoryStream(data), expected, data.Length);
        })).ToArray();
        Task.WaitAll(results);

        Assert.All(results, r => Assert.Equal(new BlobInfo(expected, data.Length), r.Result));
        Assert.Equal([new BlobInfo(expected, data.Length)], Content.List());
        Assert.Equal(data, Content.ReadAllBytes(expected, data.Length));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Ingest));
    }

    [Fact]
    public void OpenRead_IsSeekable_ForRangeReads()
    {
        var data = RandomBytes(100_000);
        var info = Content.Write(data);

        using var stream = Content.OpenRead(info.Digest);
        Assert.True(stream.CanSeek);
        Assert.Equal(data.Length, stream.Length);
        stream.Seek(40_000, SeekOrigin.Begin);
        var range = new byte[1234];
        stream.ReadExactly(range);
        Assert.Equal(data.AsSpan(40_000, 1234).ToArray(), range);
    }

    [Fact]
    public void OpenRead_OfMissingBlob_ThrowsBlobNotFound()
    {
        var missing = Digest.Compute(RandomBytes(8));
        var e = Assert.Throws<BlobNotFoundException>(() => Content.OpenRead(missing));
        Assert.Equal(missing, e.Digest);
        Assert.Null(Content.Info(missing));
    }

    [Fact]
    public void ReadAllBytes_RefusesBlobsOverTheLimit()
    {
        var info = Content.Write(RandomBytes(2000));
        var e = Assert.Throws<InvalidDataException>(() => Content.ReadAllBytes(info.Digest, maxSize: 1000));
        Assert.Contains(info.Digest.ToString(), e.Message);
    }

    [Fact]
    public void BlobWriter_DisposedWithoutCommit_LeavesNothing()
    {
        var data = RandomBytes(4096);
        using (var writer = Content.BeginWrite())
        {
            writer.Write(data);
            Assert.Single(Directory.EnumerateFiles(Ingest));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Ingest));
        Assert.Empty(Content.List());
    }

    [Fact]
    public async Task WriteAsync_StoresTheBlob()
    {
        var data = RandomBytes(70_000);
        var info = await Content.WriteAsync(new MemoryStream(data), Digest.Compute(data), data.Length);
        Assert.Equal(data, Content.ReadAllBytes(info.Digest));
    }
}
