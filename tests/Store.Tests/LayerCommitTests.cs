using System.Formats.Tar;
using Images.Archive;
using Images.Core.Digests;
using Images.Store.Layers;

namespace Images.Store.Tests;

/// <summary>ILayerStore.Commit: one pass over the diff, the rw layer's directory adopted as the layer's.</summary>
public sealed class LayerCommitTests
{
    private static readonly byte[] BaseTar = TestStore.Tar(("etc", null), ("etc/old", "old\n"), ("etc/keep", "keep\n"));

    [Theory]
    [InlineData("vfs")]
    [InlineData("overlay")]
    public void Commit_RegistersTheDiff_AdoptsTheDirectory_AndDropsTheRwLayer(string driver)
    {
        using var t = new TestStore(driver);
        var layers = t.Store.Layers;
        var parent = t.AddLayer(BaseTar);
        layers.CreateRw("step", parent.ChainId);
        string root = layers.MountRw("step");
        File.WriteAllText(Path.Combine(root, "etc/added"), "added\n");
        File.Delete(Path.Combine(root, "etc/old"));
        var expected = new MemoryStream();
        layers.DiffRw("step", expected);
        string rwDriverId = t.Store.Metadata.GetRw("step")!.DriverId;
        int driverLayersBefore = t.Store.Metadata.ListDriverLayers().Count;

        var layer = layers.Commit("step");

        Assert.Equal(Digest.Compute(expected.ToArray()), layer.DiffId);
        Assert.Equal(ChainId.Of(parent.ChainId, layer.DiffId), layer.ChainId);
        Assert.Equal(parent.ChainId, layer.Parent);
        Assert.Null(layers.GetRw("step"));
        Assert.Empty(t.Store.Metadata.ListPending());
        // Adopted, not re-applied: the layer's driver copy is the rw layer's directory.
        Assert.Equal(rwDriverId, t.Store.Metadata.DriverLayerId(driver, layer.ChainId));
        Assert.Equal(driverLayersBefore + 1, t.Store.Metadata.ListDriverLayers().Count);

        // The blob in the content store is that diff, compressed.
        var blob = Assert.Single(layer.Blobs);
        Assert.Equal(Images.Core.Oci.MediaTypes.OciLayerFor(Images.Core.Oci.LayerCompression.Gzip), blob.MediaType);
        using (var diff = layers.OpenDiff(layer.ChainId))
        {
            var copy = new MemoryStream();
            diff.CopyTo(copy);
            Assert.Equal(expected.ToArray(), copy.ToArray());
        }

        // The layer survives a reopen and mounts with the change.
        layers = t.Reopen().Layers;
        string mounted = layers.Mount(layer.ChainId, "test");
        try
        {
            Assert.Equal("added\n", File.ReadAllText(Path.Combine(mounted, "etc/added")));
            Assert.Equal("keep\n", File.ReadAllText(Path.Combine(mounted, "etc/keep")));
            Assert.False(File.Exists(Path.Combine(mounted, "etc/old")));
        }
        finally
        {
            layers.Unmount(layer.ChainId, "test");
        }
    }

    [Theory]
    [InlineData("vfs")]
    [InlineData("overlay")]
    public void Commit_OfAChainThatExists_ReturnsIt_AndRemovesTheSecondDirectory(string driver)
    {
        using var t = new TestStore(driver);
        var layers = t.Store.Layers;
        var parent = t.AddLayer(BaseTar);
        var clamp = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Layer CommitOne(string name)
        {
            layers.CreateRw(name, parent.ChainId);
            string root = layers.MountRw(name);
            File.WriteAllText(Path.Combine(root, "file"), "same\n");
            return layers.Commit(name, new CommitOptions { ClampMtime = clamp, Compression = Images.Core.Oci.LayerCompression.Zstd });
        }

        var first = CommitOne("a");
        int driverLayers = t.Store.Metadata.ListDriverLayers().Count;
        var second = CommitOne("b");

        Assert.Equal(first.ChainId, second.ChainId);
        Assert.Equal(driverLayers, t.Store.Metadata.ListDriverLayers().Count);
        Assert.Empty(t.Store.Metadata.ListPending());
        Assert.Empty(layers.ListRw());
        // Clamped mtimes: the entry of the written file carries the clamp, not the write time.
        using var tar = new TarReader(layers.OpenDiff(first.ChainId));
        var entry = tar.GetNextEntry()!;
        Assert.Equal("file", entry.Name);
        Assert.Equal(clamp, entry.ModificationTime);
    }

    [Fact]
    public void Commit_OfAnUnknownRwLayer_FailsAndNamesIt()
    {
        using var t = new TestStore();
        var e = Assert.Throws<InvalidOperationException>(() => t.Store.Layers.Commit("nope"));
        Assert.Contains("'nope'", e.Message);
        Assert.Empty(t.Store.Layers.List());
    }

    [Fact]
    public void Commit_OnNoParent_MakesABaseLayer()
    {
        using var t = new TestStore();
        t.Store.Layers.CreateRw("base", null);
        string root = t.Store.Layers.MountRw("base");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        var layer = t.Store.Layers.Commit("base");
        Assert.Null(layer.Parent);
        Assert.Equal(layer.DiffId, layer.ChainId);
        Assert.Equal(0, t.Store.Layers.ReferenceCount(layer.ChainId));
        Assert.Equal([layer.ChainId], t.Store.Layers.Release(layer.ChainId));
        Assert.Empty(t.Store.Metadata.ListDriverLayers());
    }
}
