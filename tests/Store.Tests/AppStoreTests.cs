using Images.Core.Digests;
using Images.Core.References;
using Images.Store.Apps;
using Images.Store.Catalog;
using Images.Store.Transfer;

namespace Images.Store.Tests;

public sealed class AppStoreTests : IDisposable
{
    private readonly TestStore _t = new();
    private LocalStore Store => _t.Store;

    public void Dispose() => _t.Dispose();

    private Image MakeImage(string salt) => _t.AddImage([_t.AddLayer(TestStore.Tar(("app", salt)))], salt);

    [Fact]
    public void Releases_AreNumberedPerApp_AndStartPending()
    {
        var image = MakeImage("v1");
        var first = Store.Apps.Begin("web", image.Id);
        var second = Store.Apps.Begin("web", image.Id);
        var other = Store.Apps.Begin("worker", image.Id);

        Assert.Equal((1, 2, 1), (first.Number, second.Number, other.Number));
        Assert.All(new[] { first, second, other }, r => Assert.Equal(ReleaseState.Pending, r.State));
        Assert.Equal(["web", "worker"], Store.Apps.List());
        Assert.Null(Store.Apps.Live("web"));
        Assert.Equal(3, Store.Apps.Pending().Count);
    }

    [Fact]
    public void Switch_RetiresTheLiveRelease_AndSurvivesReopening()
    {
        var v1 = MakeImage("v1");
        var v2 = MakeImage("v2");
        var r1 = Store.Apps.Begin("web", v1.Id);
        Store.Apps.SetContainer("web", r1.Number, "c1");
        Assert.Null(Store.Apps.Switch("web", r1.Number));
        var r2 = Store.Apps.Begin("web", v2.Id);

        var replaced = Store.Apps.Switch("web", r2.Number);

        Assert.Equal(r1.Number, replaced!.Number);
        Assert.Equal("c1", replaced.Container);
        var reopened = _t.Reopen();
        Assert.Equal(r2.Number, reopened.Apps.Live("web")!.Number);
        Assert.Equal([ReleaseState.Live, ReleaseState.Retired], reopened.Apps.Releases("web").Select(r => r.State));
        // Rollback is a switch back to the retired release.
        Assert.Equal(r2.Number, reopened.Apps.Switch("web", r1.Number)!.Number);
        Assert.Equal(r1.Number, reopened.Apps.Live("web")!.Number);
    }

    [Fact]
    public void AFailedRelease_CannotGoLive_AndLeavesTheLiveOneAlone()
    {
        var image = MakeImage("v1");
        var r1 = Store.Apps.Begin("web", image.Id);
        Store.Apps.Switch("web", r1.Number);
        var r2 = Store.Apps.Begin("web", image.Id);

        Assert.True(Store.Apps.Fail("web", r2.Number, "health check failed"));
        Assert.False(Store.Apps.Fail("web", r1.Number, "not pending"));
        var e = Assert.Throws<InvalidOperationException>(() => Store.Apps.Switch("web", r2.Number));
        Assert.Contains("failed", e.Message);
        Assert.Equal(r1.Number, Store.Apps.Live("web")!.Number);
        Assert.Equal("health check failed", Store.Apps.Get("web", r2.Number)!.Reason);
    }

    [Fact]
    public void TheLiveRelease_CannotBeRemoved_OthersCan()
    {
        var image = MakeImage("v1");
        var r1 = Store.Apps.Begin("web", image.Id);
        Store.Apps.Switch("web", r1.Number);
        var r2 = Store.Apps.Begin("web", image.Id);

        Assert.False(Store.Apps.Remove("web", r1.Number));
        Assert.True(Store.Apps.Remove("web", r2.Number));
        Assert.Equal([r1.Number], Store.Apps.Releases("web").Select(r => r.Number));
    }

    [Fact]
    public void ADeployedImage_IsKeptByRmiAndPrune_UntilItsReleasesGo()
    {
        var image = MakeImage("v1");
        Store.Images.Tag(image.Id, Reference.Parse("web:v1"));
        var release = Store.Apps.Begin("web", image.Id);

        var conflict = Assert.Throws<ImageConflictException>(() => Store.Images.Remove("web:v1"));
        Assert.Contains("app web", conflict.Message);
        Assert.Equal(["Untagged: web:v1"], Store.Images.Remove("web:v1", force: true));
        Store.Prune(all: true);
        Assert.NotNull(Store.Images.Get(image.Id));

        Assert.True(Store.Apps.Remove("web", release.Number));
        Store.Prune(all: true);
        Assert.Null(Store.Images.Get(image.Id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-web")]
    [InlineData("web/api")]
    [InlineData("we b")]
    public void BadAppNames_AreRefusedWithTheRule(string name)
    {
        var image = MakeImage("v1");
        var e = Assert.Throws<ArgumentException>(() => Store.Apps.Begin(name, image.Id));
        Assert.Contains("letters, digits", e.Message);
    }

    [Fact]
    public void AddFromContent_RegistersTheLayersOfAManifestWhoseBlobsAreStored()
    {
        var image = MakeImage("shipped");
        var layers = Store.Layers.List().Select(l => l.ChainId).ToList();
        // Forget the image and its layers but keep the blobs, as if they had just been pushed.
        Store.Images.Remove(image.Id.ToString());
        Assert.Empty(Store.Layers.List());

        var added = ImageImporter.AddFromContent(Store, image.ManifestDigest, "deploy of web");

        Assert.Equal(image.Id, added.Id);
        Assert.Equal(layers, Store.Layers.List().Select(l => l.ChainId));
    }

    [Fact]
    public void AddFromContent_NamesAMissingBlob()
    {
        var missing = Digest.Compute("nothing"u8);
        var e = Assert.Throws<TransferException>(() => ImageImporter.AddFromContent(Store, missing, "deploy of web"));
        Assert.Contains(missing.ToString(), e.Message);
        Assert.Contains("deploy of web", e.Message);
    }
}
