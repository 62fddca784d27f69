using System.Formats.Tar;
using Images.Archive;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store.Content;
using Images.Store.Layers;

namespace Images.Store.Tests;

public sealed class LayerStoreTests : IDisposable
{
    private readonly TestStore _t = new();
    private ILayerStore Layers => _t.Store.Layers;
    private string VfsHome => Path.Combine(_t.Root, "drivers", "vfs");

    public void Dispose() => _t.Dispose();

    private static readonly byte[] BaseTar = TestStore.Tar(("etc", null), ("etc/hostname", "base\n"), ("etc/old", "old\n"));

    [Theory]
    [InlineData(LayerCompression.None)]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public void Register_AppliesTheBlob_WithDiffIdAndChainId(LayerCompression compression)
    {
        var blob = _t.StoreBlob(BaseTar, compression);
        var diffId = Digest.Compute(BaseTar);

        var layer = Layers.Register(blob, parent: null);

        Assert.Equal(diffId, layer.DiffId);
        Assert.Equal(diffId, layer.ChainId);
        Assert.Null(layer.Parent);
        Assert.Equal([blob], layer.Blobs);

        var upperTar = TestStore.Tar(("etc/.wh.old", ""), ("etc/new", "new\n"));
        var upper = Layers.Register(_t.StoreBlob(upperTar, compression), layer.ChainId, Digest.Compute(upperTar));
        Assert.Equal(ChainId.Of(layer.ChainId, Digest.Compute(upperTar)), upper.ChainId);
        Assert.Equal(layer.ChainId, upper.Parent);

        string root = Layers.Mount(upper.ChainId, "test");
        try
        {
            Assert.Equal("base\n", File.ReadAllText(Path.Combine(root, "etc/hostname")));
            Assert.Equal("new\n", File.ReadAllText(Path.Combine(root, "etc/new")));
            Assert.False(File.Exists(Path.Combine(root, "etc/old")));
        }
        finally
        {
            Layers.Unmount(upper.ChainId, "test");
        }
        Assert.Equal(2, Layers.List().Count);
    }

    [Fact]
    public void Register_SameChainFromAnotherBlob_AddsTheBlobToTheLayer()
    {
        var gzip = _t.StoreBlob(BaseTar, LayerCompression.Gzip);
        var plain = _t.StoreBlob(BaseTar, LayerCompression.None);

        var first = Layers.Register(gzip, null);
        var driverEntries = TestStore.Listing(Path.Combine(VfsHome, "dir")).Count;
        var second = Layers.Register(plain, null, Digest.Compute(BaseTar));

        Assert.Equal(first.ChainId, second.ChainId);
        Assert.Equal([gzip, plain], second.Blobs);
        Assert.Equal(driverEntries, TestStore.Listing(Path.Combine(VfsHome, "dir")).Count);
        Assert.Equal(first.ChainId, Layers.Register(gzip, null).ChainId);
        Assert.Equal(driverEntries, TestStore.Listing(Path.Combine(VfsHome, "dir")).Count);
    }

    [Fact]
    public void Register_ConcurrentlyFromSeveralStores_MakesOneLayerAndOneDriverCopy()
    {
        var gzip = _t.StoreBlob(BaseTar, LayerCompression.Gzip);
        var zstd = _t.StoreBlob(BaseTar, LayerCompression.Zstd);
        using var second = _t.OpenSecond();
        var stores = new[] { _t.Store.Layers, second.Layers };
        using var start = new Barrier(6);

        var tasks = Enumerable.Range(0, 6).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            return stores[i % 2].Register(i % 3 == 0 ? zstd : gzip, null, i % 2 == 0 ? Digest.Compute(BaseTar) : null);
        })).ToArray();
        Task.WaitAll(tasks);

        Assert.All(tasks, t => Assert.Equal(Digest.Compute(BaseTar), t.Result.ChainId));
        var layer = Assert.Single(Layers.List());
        Assert.Equal(2, layer.Blobs.Count);
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(VfsHome, "dir")));
        Assert.Empty(_t.Store.Metadata.ListPending());
    }

    public static TheoryData<string> BadBlobs => new() { "truncated-gzip", "not-a-tar", "wrong-diffid" };

    [Theory]
    [MemberData(nameof(BadBlobs))]
    public void Register_OfABadBlob_RegistersNothing_AndLeavesTheStoreUnchanged(string kind)
    {
        var good = _t.AddLayer(BaseTar);
        var gz = TestStore.Compress(TestStore.Tar(("a", "x".PadRight(50_000, 'y'))), LayerCompression.Gzip);
        byte[] bytes = kind switch
        {
            "truncated-gzip" => gz[..(gz.Length / 2)],
            "not-a-tar" => TestStore.Compress(System.Text.Encoding.ASCII.GetBytes(new string('z', 5000)), LayerCompression.Gzip),
            _ => gz,
        };
        var info = _t.Store.Content.Write(bytes);
        var blob = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = info.Digest, Size = info.Size };
        var layersBefore = Layers.List();
        var driverBefore = TestStore.Listing(VfsHome);

        Assert.ThrowsAny<Exception>(() => Layers.Register(blob, good.ChainId, kind == "wrong-diffid" ? Digest.Compute(BaseTar) : null));

        Assert.Equal(layersBefore, Layers.List(), LayerComparer);
        Assert.Equal(driverBefore, TestStore.Listing(VfsHome));
        Assert.Empty(_t.Store.Metadata.ListPending());
    }

    [Fact]
    public void Register_WithWrongExpectedDiffId_ThrowsDigestMismatch()
    {
        var blob = _t.StoreBlob(BaseTar);
        var wrong = Digest.Compute(new byte[] { 1 });
        var e = Assert.Throws<DigestMismatchException>(() => Layers.Register(blob, null, wrong));
        Assert.Contains(wrong.ToString(), e.Message);
        Assert.Contains(Digest.Compute(BaseTar).ToString(), e.Message);
        Assert.Empty(Layers.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(VfsHome, "dir")));
    }

    [Fact]
    public void Register_OfAMissingBlobOrParent_Refuses()
    {
        var blob = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Compute(new byte[] { 9 }), Size = 1 };
        Assert.Throws<BlobNotFoundException>(() => Layers.Register(blob, null));
        var stored = _t.StoreBlob(BaseTar);
        Assert.Throws<LayerNotFoundException>(() => Layers.Register(stored, Digest.Compute(new byte[] { 7 })));
        Assert.Empty(Layers.List());
    }

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public void Create_StoresTheCompressedBlob_AndOpenDiffGivesTheTarBack(LayerCompression compression)
    {
        var layer = Layers.Create(new MemoryStream(BaseTar), null, compression);

        Assert.Equal(Digest.Compute(BaseTar), layer.DiffId);
        var blob = Assert.Single(layer.Blobs);
        Assert.Equal(MediaTypes.OciLayerFor(compression), blob.MediaType);
        using (var stored = _t.Store.Content.OpenRead(blob.Digest))
        {
            var header = new byte[4];
            stored.ReadExactly(header);
            Assert.Equal(compression, Compression.Detect(header));
        }
        using var diff = Layers.OpenDiff(layer.ChainId);
        var back = new MemoryStream();
        diff.CopyTo(back);
        Assert.Equal(BaseTar, back.ToArray());
    }

    [Fact]
    public void Mount_CountsHolders_AndTheLastUnmountReleases()
    {
        var layer = _t.AddLayer(BaseTar);

        string a = Layers.Mount(layer.ChainId, "a");
        string b = Layers.Mount(layer.ChainId, "b");

        Assert.Equal(a, b);
        Assert.Equal([(layer.ChainId, "a"), (layer.ChainId, "b")], Layers.Mounts());
        Assert.Equal(2, Layers.ReferenceCount(layer.ChainId));
        Layers.Unmount(layer.ChainId, "a");
        Assert.Equal([(layer.ChainId, "b")], Layers.Mounts());
        Assert.Equal("base\n", File.ReadAllText(Path.Combine(b, "etc/hostname")));
        Layers.Unmount(layer.ChainId, "b");
        Assert.Empty(Layers.Mounts());
        Assert.Equal(0, Layers.ReferenceCount(layer.ChainId));
        Assert.Throws<InvalidOperationException>(() => Layers.Unmount(layer.ChainId, "b"));
    }

    [Fact]
    public void Mount_HeldByAnotherProcess_IsReleasedThere()
    {
        var layer = _t.AddLayer(BaseTar);
        using (var other = _t.OpenSecond()) other.Layers.Mount(layer.ChainId, "cli-mount");

        Assert.Equal([(layer.ChainId, "cli-mount")], Layers.Mounts());
        Layers.Unmount(layer.ChainId, "cli-mount");
        Assert.Empty(Layers.Mounts());
    }

    [Fact]
    public void Mount_OfAChainMissingInTheDriver_RecreatesItFromTheBlobs()
    {
        var lower = _t.AddLayer(BaseTar);
        var upperTar = TestStore.Tar(("etc/new", "new\n"));
        var upper = _t.AddLayer(upperTar, lower.ChainId, LayerCompression.Zstd);
        var metadata = _t.Store.Metadata;
        // As if the store had been used with another driver: this driver has no copy of either layer.
        foreach (var chain in new[] { upper.ChainId, lower.ChainId })
        {
            string id = metadata.DriverLayerId("vfs", chain)!;
            _t.Store.Driver.Remove(id);
            metadata.DeleteDriverLayer("vfs", chain);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(VfsHome, "dir")));

        string root = Layers.Mount(upper.ChainId, "test");
        try
        {
            Assert.Equal("base\n", File.ReadAllText(Path.Combine(root, "etc/hostname")));
            Assert.Equal("new\n", File.ReadAllText(Path.Combine(root, "etc/new")));
            Assert.NotNull(metadata.DriverLayerId("vfs", lower.ChainId));
        }
        finally
        {
            Layers.Unmount(upper.ChainId, "test");
        }
    }

    [Fact]
    public void RwLayer_CreateChangesDiffRemove()
    {
        var layer = _t.AddLayer(BaseTar);
        var rw = Layers.CreateRw("c1", layer.ChainId);
        Assert.Equal(new RwLayer("c1", layer.ChainId, rw.Created), Layers.GetRw("c1"));
        Assert.Equal(1, Layers.ReferenceCount(layer.ChainId));
        Assert.Throws<InvalidOperationException>(() => Layers.CreateRw("c1", layer.ChainId));

        string root = Layers.MountRw("c1");
        File.WriteAllText(Path.Combine(root, "etc/added"), "added\n");
        File.Delete(Path.Combine(root, "etc/old"));

        var changes = Layers.ChangesRw("c1");
        Assert.Contains(new Change("/etc/added", ChangeKind.Added), changes);
        Assert.Contains(new Change("/etc/old", ChangeKind.Deleted), changes);
        Assert.DoesNotContain(changes, c => c.Path == "/etc/hostname");

        var diff = new MemoryStream();
        Layers.DiffRw("c1", diff);
        diff.Position = 0;
        var names = new List<string>();
        using (var reader = new TarReader(diff))
            while (reader.GetNextEntry() is { } entry) names.Add(entry.Name.TrimEnd('/'));
        Assert.Contains("etc/added", names);
        Assert.Contains("etc/.wh.old", names);
        Assert.DoesNotContain("etc/hostname", names);

        Layers.RemoveRw("c1"); // still mounted: removal unmounts first
        Assert.Null(Layers.GetRw("c1"));
        Assert.Empty(Layers.ListRw());
        Assert.Equal(0, Layers.ReferenceCount(layer.ChainId));
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(VfsHome, "dir")));
    }

    [Fact]
    public void Release_RemovesUnusedLayersTopDown_AndStopsAtAUsedOne()
    {
        var lower = _t.AddLayer(BaseTar);
        var middle = _t.AddLayer(TestStore.Tar(("m", "m")), lower.ChainId);
        var top = _t.AddLayer(TestStore.Tar(("t", "t")), middle.ChainId);
        Layers.CreateRw("keeps-lower", lower.ChainId);

        Assert.Empty(Layers.Release(middle.ChainId)); // has a child
        Assert.Equal([top.ChainId, middle.ChainId], Layers.Release(top.ChainId));
        Assert.Equal([lower.ChainId], Layers.List().Select(l => l.ChainId));
        Layers.RemoveRw("keeps-lower");
        Assert.Equal([lower.ChainId], Layers.Release(lower.ChainId));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(VfsHome, "dir")));
    }

    private static readonly IEqualityComparer<Layer> LayerComparer = EqualityComparer<Layer>.Create(
        (a, b) => a!.ChainId == b!.ChainId && a.Blobs.SequenceEqual(b.Blobs) && a.Parent == b.Parent,
        l => l.ChainId.GetHashCode());
}
