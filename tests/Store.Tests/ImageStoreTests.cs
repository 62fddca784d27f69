using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;
using Images.Store.Catalog;

namespace Images.Store.Tests;

public sealed class ImageStoreTests : IDisposable
{
    private readonly TestStore _t = new();
    private IImageStore Images => _t.Store.Images;

    public void Dispose() => _t.Dispose();

    private Image MakeImage(string salt = "")
    {
        var lower = _t.AddLayer(TestStore.Tar(("a", "a" + salt)));
        var upper = _t.AddLayer(TestStore.Tar(("b", "b" + salt)), lower.ChainId);
        return _t.AddImage([lower, upper], salt);
    }

    [Fact]
    public void Add_RecordsTheImage_WithTopLayerAndCreated()
    {
        var lower = _t.AddLayer(TestStore.Tar(("a", "a")));
        var upper = _t.AddLayer(TestStore.Tar(("b", "b")), lower.ChainId);

        var image = _t.AddImage([lower, upper]);

        Assert.Equal(upper.ChainId, image.TopLayer);
        Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero), image.Created);
        Assert.Equal(MediaTypes.OciManifest, image.ManifestMediaType);
        Assert.Empty(image.Tags);
        Assert.Equal((image.Id, image.ManifestDigest, image.TopLayer), Images.Get(image.Id) is { } got ? (got.Id, got.ManifestDigest, got.TopLayer) : default);
        Assert.Equal([image.Id], Images.List().Select(i => i.Id));
        var (configBytes, config) = Images.ReadConfig(image);
        Assert.Equal(image.Id, Digest.Compute(configBytes));
        Assert.Equal([lower.DiffId, upper.DiffId], config.RootFs.DiffIds);
        Assert.Equal(image.ManifestDigest, Digest.Compute(Images.ReadManifest(image).Bytes));
    }

    [Fact]
    public void Add_OfAnotherManifestOfTheSameImage_KeepsBothManifests()
    {
        var layer = _t.AddLayer(TestStore.Tar(("a", "a")));
        var oci = _t.AddImage([layer]);
        var docker = _t.AddImage([layer], manifestMediaType: MediaTypes.DockerManifest);

        // Docker's config media type differs but the config bytes are the same: one image.
        Assert.Equal(oci.Id, docker.Id);
        Assert.Single(Images.List());
        // The image keeps its first manifest as primary; every manifest that named it is known.
        Assert.Equal(oci.ManifestDigest, docker.ManifestDigest);
        var manifests = Images.Manifests(oci.Id);
        Assert.Equal(2, manifests.Count);
        var dockerManifest = Assert.Single(manifests, m => m.MediaType == MediaTypes.DockerManifest);
        Assert.Contains(manifests, m => m.MediaType == MediaTypes.OciManifest && m.Digest == oci.ManifestDigest);
        Assert.Equal(oci.Id, Images.Resolve($"x@{dockerManifest.Digest}").Id);
        Assert.Equal(oci.Id, Images.Resolve(dockerManifest.Digest.ToString()).Id);
    }

    [Fact]
    public void Add_RefusesAnIndex_AndAnImageWhoseLayersAreNotRegistered()
    {
        var image = MakeImage();
        var index = new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests = [new Descriptor { MediaType = MediaTypes.OciManifest, Digest = image.ManifestDigest, Size = image.ManifestSize }],
        };
        var indexInfo = _t.Store.Content.Write(OciJson.Serialize(index));
        var e = Assert.Throws<InvalidDataException>(() => Images.Add(indexInfo.Digest));
        Assert.Contains("index", e.Message);

        // A config naming a diff_id no layer has.
        var tar = TestStore.Tar(("z", "z"));
        var blob = _t.StoreBlob(tar);
        var config = OciJson.Serialize(new ImageConfig { Os = "linux", Architecture = "amd64", RootFs = new RootFs { DiffIds = [Digest.Compute(tar)] } });
        var configInfo = _t.Store.Content.Write(config);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configInfo.Digest, Size = configInfo.Size },
            Layers = [blob],
        };
        var manifestInfo = _t.Store.Content.Write(OciJson.Serialize(manifest));
        var e2 = Assert.Throws<InvalidOperationException>(() => Images.Add(manifestInfo.Digest));
        Assert.Contains("not registered", e2.Message);
        Assert.Single(Images.List());
    }

    [Fact]
    public void Resolve_ByEveryReferenceForm()
    {
        var image = MakeImage();
        Images.Tag(image.Id, Reference.Parse("busybox"));
        Images.Tag(image.Id, Reference.Parse("registry.example.com:5000/team/app:v1"));

        foreach (var reference in new[]
                 {
                     "busybox", "busybox:latest", "library/busybox", "docker.io/library/busybox:latest",
                     "registry.example.com:5000/team/app:v1", $"busybox@{image.ManifestDigest}",
                     image.ManifestDigest.ToString(), image.Id.ToString(), image.Id.Encoded, image.Id.Short,
                     image.Id.Encoded[..4], $"sha256:{image.Id.Encoded[..6]}",
                 })
        {
            Assert.Equal(image.Id, Images.Resolve(reference).Id);
        }
        Assert.Equal(
            ["docker.io/library/busybox:latest", "registry.example.com:5000/team/app:v1"],
            Images.Get(image.Id)!.Tags.Select(t => t.ToString()).Order(StringComparer.Ordinal));

        var e = Assert.Throws<ImageNotFoundException>(() => Images.Resolve("busybox:other"));
        Assert.Contains("no such image: busybox:other", e.Message);
        Assert.Throws<ImageNotFoundException>(() => Images.Resolve(Digest.Compute(new byte[] { 1 }).ToString()));
    }

    [Fact]
    public void Resolve_AnAmbiguousPrefix_SaysSo()
    {
        // Seventeen images: two of them share a first hex digit.
        var ids = Enumerable.Range(0, 17).Select(i => _t.AddImage([], salt: i.ToString()).Id).ToList();
        string shared = ids.GroupBy(id => id.Encoded[0]).First(g => g.Count() > 1).Key.ToString();

        var e = Assert.Throws<ImageNotFoundException>(() => Images.Resolve(shared));
        Assert.Contains("ambiguous", e.Message);
    }

    [Fact]
    public void Tag_MovesTheNameFromAnotherImage()
    {
        var a = MakeImage("a");
        var b = MakeImage("b");
        var name = Reference.Parse("app:1");

        Images.Tag(a.Id, name);
        Images.Tag(b.Id, name);

        Assert.Empty(Images.Get(a.Id)!.Tags);
        Assert.Equal([name], Images.Get(b.Id)!.Tags);
        Assert.Equal(b.Id, Images.Resolve("app:1").Id);
        Assert.True(Images.Untag(name));
        Assert.False(Images.Untag(name));
        Assert.Throws<ArgumentException>(() => Images.Tag(a.Id, Reference.Parse($"app@{a.ManifestDigest}")));
    }

    [Fact]
    public void Remove_ByName_UntagsAndDeletesWithTheLastName()
    {
        var image = MakeImage();
        Images.Tag(image.Id, Reference.Parse("one"));
        Images.Tag(image.Id, Reference.Parse("two:2"));

        Assert.Equal(["Untagged: one:latest"], Images.Remove("one"));
        Assert.NotNull(Images.Get(image.Id));

        var lower = _t.Store.Layers.Get(image.TopLayer!.Value)!.Parent!.Value;
        Assert.Equal(["Untagged: two:2", $"Deleted: {image.Id}", $"Deleted: {image.TopLayer}", $"Deleted: {lower}"], Images.Remove("two:2"));
        Assert.Null(Images.Get(image.Id));
        Assert.Empty(_t.Store.Layers.List());
    }

    [Fact]
    public void Remove_ById_WithSeveralNames_NeedsForce()
    {
        var image = MakeImage();
        Images.Tag(image.Id, Reference.Parse("one"));
        Images.Tag(image.Id, Reference.Parse("two"));

        var e = Assert.Throws<ImageConflictException>(() => Images.Remove(image.Id.Short));
        Assert.Contains("must be forced", e.Message);
        Assert.NotNull(Images.Get(image.Id));

        var lines = Images.Remove(image.Id.Short, force: true);
        Assert.Equal(["Untagged: one:latest", "Untagged: two:latest", $"Deleted: {image.Id}"], lines.Take(3));
        Assert.Null(Images.Get(image.Id));
    }

    [Fact]
    public void Remove_OfAnImageUsedByARwLayer_IsRefusedUnlessForced()
    {
        var image = MakeImage();
        Images.Tag(image.Id, Reference.Parse("app"));
        _t.Store.Layers.CreateRw("container-1", image.TopLayer);

        var byName = Assert.Throws<ImageConflictException>(() => Images.Remove("app"));
        Assert.Contains("container-1", byName.Message);
        var byId = Assert.Throws<ImageConflictException>(() => Images.Remove(image.Id.ToString()));
        Assert.Contains("container-1", byId.Message);

        // Forced by name: the name goes, the image stays for its container.
        Assert.Equal(["Untagged: app:latest"], Images.Remove("app", force: true));
        Assert.NotNull(Images.Get(image.Id));
        // Forced by id: the image record goes; its layers stay while the rw layer uses them.
        Assert.Equal([$"Deleted: {image.Id}"], Images.Remove(image.Id.ToString(), force: true));
        Assert.Equal(2, _t.Store.Layers.List().Count);
    }
}
