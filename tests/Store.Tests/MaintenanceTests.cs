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
    public void Check_ReportsAnUnreferencedBlobAsGarbage_AndRepairDeletesIt()
    {
        var (image, _) = MakeImage("kept");
        var loose = Store.Content.Write("left behind by an interrupted load"u8).Digest;

        var found = Store.Check(repair: false);
        Assert.True(found.Consistent);
        var garbage = Assert.Single(found.Garbage);
        Assert.Contains($"blob {loose}", garbage);
        Assert.Contains("nothing references it", garbage);
        Assert.True(Store.Content.Exists(loose));

        var report = Store.Check(repair: true);
        Assert.Contains(report.Repaired, r => r.Contains($"deleted unreferenced blob {loose}"));
        Assert.False(Store.Content.Exists(loose));
        Assert.NotNull(Store.Images.Get(image.Id));
        Assert.True(Store.Check(repair: false).Consistent);
    }

    [Fact]
    public void Open_RefusesMetadataOfANewerSchema()
    {
        Store.Dispose();
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_t.Root, "metadata.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99";
            cmd.ExecuteNonQuery();
        }

        var e = Assert.ThrowsAny<Exception>(() => _t.Reopen());
        Assert.Contains("schema version 99", e.Message);
        Assert.Contains("newer version", e.Message);
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

    [Fact]
    public void Open_KeepsAnIngestFileLockedByAnotherProcess_AndDeletesItOnceThatProcessIsGone()
    {
        string ingest = Path.Combine(Store.Paths.Ingest, "held-by-another-process");
        File.WriteAllText(ingest, "partial");
        using var holder = System.Diagnostics.Process.Start("flock", ["--exclusive", ingest, "sleep", "600"]);
        try
        {
            // Wait until the other process holds the lock (no time limit on the assertion itself).
            while (FileLockTaken(ingest) is { } free) free.Dispose();
            using (var second = _t.OpenSecond()) Assert.True(File.Exists(ingest));
        }
        finally
        {
            holder.Kill(entireProcessTree: true); // flock and the sleep that inherited the locked descriptor
            holder.WaitForExit();
        }
        using var third = _t.OpenSecond();
        Assert.False(File.Exists(ingest));
    }

    private static IDisposable? FileLockTaken(string path)
    {
        Thread.Sleep(10);
        return Images.Platform.FileLock.TryAcquire(path, exclusive: true, wait: false);
    }

    [Fact]
    public void Open_RemovesThePendingDriverLayerOfAKilledProcess()
    {
        using var victim = System.Diagnostics.Process.Start("sleep", ["600"]);
        var identity = ProcessIdentity.Of(victim.Id)!.Value;
        victim.Kill();
        victim.WaitForExit();
        Store.Driver.Create("killedwriter", null);
        Store.Metadata.AddPending("vfs", "killedwriter", identity);

        var store = _t.Reopen();

        Assert.False(store.Driver.Exists("killedwriter"));
        Assert.Empty(store.Metadata.ListPending());
    }

    [Fact]
    public void WriteLease_KeepsPruneWaiting_AndRefusesPruneOnTheSameInstance()
    {
        using var other = _t.OpenSecond();
        var lease = other.EnterWrite();
        Assert.Throws<InvalidOperationException>(() => other.Prune());

        var prune = Task.Run(() => Store.Prune());
        Assert.False(prune.Wait(500));
        lease.Dispose();
        Assert.True(prune.Wait(TimeSpan.FromMinutes(2)));
        Assert.Empty(prune.Result.ImagesRemoved);
    }

    private static readonly IComparer<Digest> DigestOrder = Comparer<Digest>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
}
