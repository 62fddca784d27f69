using Images.Core.Digests;
using Images.Core.References;
using Images.Store.Catalog;

namespace Images.Store.Tests;

public sealed class MaintenanceTests : IDisposable
{
    private readonly TestStore _t = new();
    private LocalStore Store => _t.Store;

    public void Dispose() => _t.Dispose();

    private (Image Image, IReadOnlyList<Digest> Blobs) MakeImage(string salt)
    {
        var lower = _t.AddLayer(TestStore.Tar(("a", "a" + salt)));
        var upper = _t.AddLayer(TestStore.Tar(("b", "b" + salt)), lower.ChainId);
        var image = _t.AddImage([lower, upper], salt);
        return (image, [image.Id, image.ManifestDigest, lower.Blobs[0].Digest, upper.Blobs[0].Digest]);
    }

    private sealed record Scene(
        (Image Image, IReadOnlyList<Digest> Blobs) Tagged, (Image Image, IReadOnlyList<Digest> Blobs) Dangling,
        (Image Image, IReadOnlyList<Digest> Blobs) Mounted, (Image Image, IReadOnlyList<Digest> Blobs) Running,
        Digest LooseLayer, Digest LooseLayerBlob, Digest LooseBlob);

    private Scene MakeScene()
    {
        var tagged = MakeImage("tagged");
        Store.Images.Tag(tagged.Image.Id, Reference.Parse("keep:me"));
        var dangling = MakeImage("dangling");
        var mounted = MakeImage("mounted");
        Store.Layers.Mount(mounted.Image.TopLayer!.Value, "cli-mount");
        var running = MakeImage("running");
        Store.Layers.CreateRw("container", running.Image.TopLayer);
        var loose = _t.AddLayer(TestStore.Tar(("loose", "loose")));
        var looseBlob = Store.Content.Write("not referenced"u8).Digest;
        return new Scene(tagged, dangling, mounted, running, loose.ChainId, loose.Blobs[0].Digest, looseBlob);
    }

    private static IEnumerable<Digest> Chains(Image image, LocalStore store)
    {
        for (Digest? c = image.TopLayer; c is { } chain; c = store.Layers.Get(chain)?.Parent) yield return chain;
    }

    [Fact]
    public void Prune_RemovesExactlyWhatIsUnused()
    {
        var s = MakeScene();
        var danglingChains = Chains(s.Dangling.Image, Store).ToList();

        var report = Store.Prune();

        Assert.Equal([s.Dangling.Image.Id], report.ImagesRemoved);
        Assert.Equal(danglingChains.Append(s.LooseLayer).Order(DigestOrder), report.LayersRemoved.Order(DigestOrder));
        Assert.Equal(s.Dangling.Blobs.Append(s.LooseLayerBlob).Append(s.LooseBlob).Order(DigestOrder), report.BlobsRemoved.Order(DigestOrder));
        Assert.True(report.BytesFreed > 0);

        foreach (var kept in new[] { s.Tagged, s.Mounted, s.Running })
        {
            Assert.NotNull(Store.Images.Get(kept.Image.Id));
            Assert.All(kept.Blobs, b => Assert.True(Store.Content.Exists(b)));
            Assert.All(Chains(kept.Image, Store), c => Assert.NotNull(Store.Layers.Get(c)));
        }
        Assert.True(Store.Check(repair: false).Consistent);
        Assert.Empty(Store.Prune().BlobsRemoved);
    }

    [Fact]
    public void PruneAll_AlsoRemovesTaggedImages_ButNotThoseInUse()
    {
        var s = MakeScene();

        var report = Store.Prune(all: true);

        Assert.Equal(new[] { s.Tagged.Image.Id, s.Dangling.Image.Id }.Order(DigestOrder), report.ImagesRemoved.Order(DigestOrder));
        Assert.NotNull(Store.Images.Get(s.Mounted.Image.Id));
        Assert.NotNull(Store.Images.Get(s.Running.Image.Id));
        Assert.Equal(4, Store.Layers.List().Count);

        // Once released, the rest goes too.
        Store.Layers.Unmount(s.Mounted.Image.TopLayer!.Value, "cli-mount");
        Store.Layers.RemoveRw("container");
        Store.Prune(all: true);
        Assert.Empty(Store.Images.List());
        Assert.Empty(Store.Layers.List());
        Assert.Empty(Store.Content.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_t.Root, "drivers", "vfs", "dir")));
    }

    [Fact]
    public void Check_FindsACorruptBlob_AndRepairRemovesItAndWhatDependedOnIt()
    {
        var (image, blobs) = MakeImage("x");
        Assert.True(Store.Check(repair: false).Consistent);
        string configFile = Store.Paths.Blob(image.Id);
        var bytes = File.ReadAllBytes(configFile);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(configFile, bytes);

        var found = Store.Check(repair: false);
        var problem = Assert.Single(found.Problems);
        Assert.Contains($"blob {image.Id}", problem);
        Assert.Contains("corrupt", problem);
        Assert.Empty(found.Repaired);
        Assert.True(File.Exists(configFile));

        var repaired = Store.Check(repair: true);
        Assert.Contains(repaired.Repaired, r => r.Contains($"deleted corrupt blob {image.Id}"));
        Assert.Contains(repaired.Repaired, r => r.Contains($"removed image {image.Id}"));
        Assert.False(File.Exists(configFile));
        Assert.Null(Store.Images.Get(image.Id));
        Assert.True(Store.Check(repair: false).Consistent);
    }

    [Fact]
    public void Check_FindsAMissingDriverCopy_AndAfterRepairItIsRemadeOnUse()
    {
        var layer = _t.AddLayer(TestStore.Tar(("f", "content")));
        _t.AddImage([layer]);
        string id = Store.Metadata.DriverLayerId("vfs", layer.ChainId)!;
        Store.Driver.Remove(id);

        var report = Store.Check(repair: true);

        Assert.Contains(report.Problems, p => p.Contains(layer.ChainId.ToString()) && p.Contains(id));
        Assert.True(Store.Check(repair: false).Consistent);
        string root = Store.Layers.Mount(layer.ChainId, "t");
        Assert.Equal("content", File.ReadAllText(Path.Combine(root, "f")));
        Store.Layers.Unmount(layer.ChainId, "t");
    }

    [Fact]
    public void Open_DeletesStaleIngestFiles_ButNotOnesAWriterHolds()
    {
        string stale = Path.Combine(Store.Paths.Ingest, "left-by-a-killed-process");
        File.WriteAllText(stale, "partial");
        using var second = _t.OpenSecond();
        Assert.False(File.Exists(stale));
        Assert.Contains(second.Recovered, r => r.Contains("ingest"));

        using var writer = Store.Content.BeginWrite();
        writer.Write("in progress"u8);
        using (var third = _t.OpenSecond()) Assert.Single(Directory.EnumerateFiles(Store.Paths.Ingest));
        writer.Commit();
        Assert.Empty(Directory.EnumerateFiles(Store.Paths.Ingest));
    }

    [Fact]
    public void Open_RemovesPendingDriverLayersOfProcessesThatAreGone()
    {
        var kept = _t.AddLayer(TestStore.Tar(("k", "k")));
        // A crash between "pending" and the commit: a driver layer on disk, recorded only as pending.
        Store.Driver.Create("deadbeef", null);
        Store.Metadata.AddPending("vfs", "deadbeef", new ProcessIdentity(Environment.ProcessId, "not-this-process"));
        // One of a live writer (this process) must stay.
        Store.Driver.Create("livewriter", null);
        Store.Metadata.AddPending("vfs", "livewriter");

        var store = _t.Reopen();

        Assert.False(store.Driver.Exists("deadbeef"));
        Assert.True(store.Driver.Exists("livewriter"));
        Assert.Contains(store.Recovered, r => r.Contains("deadbeef"));
        Assert.Equal(["livewriter"], store.Metadata.ListPending().Select(p => p.DriverId));
        Assert.NotNull(store.Layers.Get(kept.ChainId));
        Assert.True(store.Driver.Exists(store.Metadata.DriverLayerId("vfs", kept.ChainId)!));
        store.Driver.Remove("livewriter");
        store.Metadata.RemovePending("vfs", "livewriter");
    }

    private static readonly IComparer<Digest> DigestOrder = Comparer<Digest>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
}
