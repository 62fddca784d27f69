using Images.Core.Digests;
using Images.Core.Oci;
using OciPlatform = Images.Core.Oci.Platform;
using Images.Store.Transfer;
using Images.Transfer.Tests.Support;
using Images.Drivers.Tests;

namespace Images.Transfer.Tests;

[Collection(UmociCollection.Name)]
public sealed class LoadTests(UmociFixture fixture)
{
    [Fact]
    public void OciLayoutDirectory_KeepsDigests_AndABareTagNamesNothing()
    {
        using var store = new StoreHandle();

        var loaded = ImageImporter.Load(store.Store, fixture.Layout);

        var image = Assert.Single(loaded);
        Assert.Equal(fixture.ImageId, image.Image.Id);
        Assert.Equal(fixture.ManifestDigest, image.Image.ManifestDigest);
        Assert.Empty(image.Names); // umoci's ref.name "latest" is a tag without a repository
        Assert.Equal([$"Loaded image ID: {fixture.ImageId}"], image.Messages());
        var (manifestBytes, _) = store.Store.Images.ReadManifest(image.Image);
        Assert.Equal(fixture.ManifestBytes, manifestBytes);
        var chain = ChainId.All(fixture.Config.RootFs.DiffIds);
        Assert.Equal(3, chain.Count);
        Assert.Equal(chain[^1], image.Image.TopLayer);
        foreach (var (chainId, i) in chain.Select((c, i) => (c, i)))
        {
            var layer = store.Store.Layers.Get(chainId);
            Assert.NotNull(layer);
            Assert.Equal(fixture.Config.RootFs.DiffIds[i], layer.DiffId);
            Assert.Contains(layer.Blobs, b => b.Digest == fixture.Manifest.Layers[i].Digest);
        }
    }

    [Fact]
    public void OciLayoutTar_AsGnuTarWritesIt_WithDotSlashNames()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string archive = temp.Combine("layout.tar");
        Tool.Run("tar", "-C", fixture.Layout, "-cf", archive, ".");

        var image = Assert.Single(ImageImporter.Load(store.Store, archive)).Image;

        Assert.Equal(fixture.ImageId, image.Id);
        Assert.Equal(fixture.ManifestDigest, image.ManifestDigest);
    }

    [Fact]
    public void GzipCompressedTar_IsLoadedLikeThePlainOne()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string archive = temp.Combine("layout.tar.gz");
        Tool.Run("tar", "-C", fixture.Layout, "-czf", archive, "index.json", "oci-layout", "blobs");

        var image = Assert.Single(ImageImporter.Load(store.Store, archive)).Image;

        Assert.Equal(fixture.ManifestDigest, image.ManifestDigest);
    }

    [Fact]
    public void Names_ComeFromContainerdName_ThenAFullRefName_AndEntriesOfOneManifestAreOneImage()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string layout = fixture.CopyLayout(temp.Combine("layout"));
        var manifest = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = fixture.ManifestDigest, Size = fixture.ManifestBytes.Length };
        LayoutEditor.WriteIndex(layout,
            manifest with { Annotations = LayoutEditor.Names((Annotations.ContainerdImageName, "example.com/team/app:1.0"), (Annotations.RefName, "1.0")) },
            manifest with { Annotations = LayoutEditor.Names((Annotations.RefName, "fixture:v2")) },
            manifest with { Annotations = LayoutEditor.Names((Annotations.RefName, "latest")) },
            manifest with { Annotations = LayoutEditor.Names((Annotations.ContainerdImageName, "not a reference"), (Annotations.RefName, "quay.io/x/y:z")) });

        var loaded = Assert.Single(ImageImporter.Load(store.Store, layout));

        Assert.Equal(["example.com/team/app:1.0", "docker.io/library/fixture:v2", "quay.io/x/y:z"], loaded.Names.Select(n => n.ToString()));
        Assert.Equal(["Loaded image: example.com/team/app:1.0", "Loaded image: fixture:v2", "Loaded image: quay.io/x/y:z"], loaded.Messages());
        Assert.Equal(fixture.ImageId, store.Store.Images.Resolve("fixture:v2").Id);
        Assert.Equal(fixture.ImageId, store.Store.Images.Resolve("example.com/team/app:1.0").Id);
        Assert.Equal(3, store.Store.Images.Get(fixture.ImageId)!.Tags.Count);
    }

    [Fact]
    public void NestedIndexes_ChooseTheManifestOfThisPlatform_AndNeverFetchTheOthers()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string layout = fixture.CopyLayout(temp.Combine("layout"));
        var here = OciPlatform.Current;
        var elsewhere = new OciPlatform { Os = "linux", Architecture = here.Architecture == "s390x" ? "ppc64le" : "s390x" };
        // The foreign manifest is not in the layout at all: choosing it, or fetching it, fails the load.
        var foreign = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = Digest.Compute("absent"u8), Size = 123, Platform = elsewhere };
        var mine = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = fixture.ManifestDigest, Size = fixture.ManifestBytes.Length, Platform = here };
        var attestation = new Descriptor
        {
            MediaType = MediaTypes.OciManifest, Digest = Digest.Compute("attestation"u8), Size = 5,
            Platform = new OciPlatform { Os = "unknown", Architecture = "unknown" },
            Annotations = LayoutEditor.Names(("vnd.docker.reference.type", "attestation-manifest")),
        };
        var inner = LayoutEditor.AddBlob(layout,
            OciJson.Serialize(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [foreign, mine, attestation] }), MediaTypes.OciIndex);
        var outer = LayoutEditor.AddBlob(layout,
            OciJson.Serialize(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [inner] }), MediaTypes.OciIndex);
        LayoutEditor.WriteIndex(layout, outer with { Annotations = LayoutEditor.Names((Annotations.ContainerdImageName, "docker.io/library/nested:1")) });

        var loaded = Assert.Single(ImageImporter.Load(store.Store, layout));

        Assert.Equal(fixture.ManifestDigest, loaded.Image.ManifestDigest);
        Assert.Equal(["Loaded image: nested:1"], loaded.Messages());
    }

    [Fact]
    public void IndexWithoutThisPlatform_FailsNamingThePlatforms()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string layout = fixture.CopyLayout(temp.Combine("layout"));
        var a = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = fixture.ManifestDigest, Size = fixture.ManifestBytes.Length, Platform = new OciPlatform { Os = "windows", Architecture = "amd64" } };
        var b = a with { Platform = new OciPlatform { Os = "linux", Architecture = "mips64le" } };
        var index = LayoutEditor.AddBlob(layout, OciJson.Serialize(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [a, b] }), MediaTypes.OciIndex);
        LayoutEditor.WriteIndex(layout, index);
        string before = store.Listing();

        var error = Assert.Throws<TransferException>(() => ImageImporter.Load(store.Store, layout));

        Assert.Contains("windows/amd64", error.Message);
        Assert.Contains("linux/mips64le", error.Message);
        Assert.Contains(index.Digest.ToString(), error.Message);
        Assert.Equal(before, store.Listing());
    }

    [Fact]
    public void DockerArchiveFromSkopeo_KeepsConfigAndDiffIds_AndIsNamedByRepoTags()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string archive = temp.Combine("docker.tar");
        Tool.Run("skopeo", "copy", "-q", $"oci:{fixture.Layout}:{UmociFixture.Tag}", $"docker-archive:{archive}:fixture:v1");

        var loaded = Assert.Single(ImageImporter.Load(store.Store, archive));

        Assert.Equal(fixture.ImageId, loaded.Image.Id);
        Assert.Equal(["Loaded image: fixture:v1"], loaded.Messages());
        var (_, manifest) = store.Store.Images.ReadManifest(loaded.Image);
        // The layers are the uncompressed tars: blob digest = diffID.
        Assert.Equal(fixture.Config.RootFs.DiffIds, manifest.Layers.Select(l => l.Digest));
        Assert.All(manifest.Layers, l => Assert.Equal(MediaTypes.OciLayer, l.MediaType));
        Assert.Equal(ChainId.Top(fixture.Config.RootFs.DiffIds), loaded.Image.TopLayer);
    }

    [Fact]
    public void LoadingTwice_GivesTheSameImage()
    {
        using var store = new StoreHandle();

        var first = Assert.Single(ImageImporter.Load(store.Store, fixture.Layout));
        var second = Assert.Single(ImageImporter.Load(store.Store, fixture.Layout));

        Assert.Equal(first.Image.Id, second.Image.Id);
        Assert.Single(store.Store.Images.List());
        Assert.Equal(3, store.Store.Layers.List().Count);
    }
}
