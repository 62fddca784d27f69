using Images.Archive;
using Images.Drivers.Tests;
using Images.Store.Catalog;
using Images.Store.Transfer;
using Images.Transfer.Tests.Support;

namespace Images.Transfer.Tests;

/// <summary><c>export</c> flattens the image: extracted, it must be exactly the tree <c>umoci unpack</c> makes.</summary>
[Collection(UmociCollection.Name)]
public sealed class ExportTests(UmociFixture fixture)
{
    [Fact]
    public void ExtractedWithOurApplier_EqualsUmociUnpack()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string archive = Export(store, temp);
        string target = temp.Combine("rootfs");
        Directory.CreateDirectory(target);

        using (var tar = File.OpenRead(archive)) LayerApplier.Apply(tar, target);

        TreeSnapshot.AssertEqual(TreeSnapshot.Of(fixture.Rootfs), TreeSnapshot.Of(target));
    }

    [Fact]
    public void ExtractedWithGnuTar_EqualsUmociUnpack()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string archive = Export(store, temp);
        string target = temp.Combine("rootfs");
        Directory.CreateDirectory(target);

        Tool.Run("tar", "-xpf", archive, "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", target);

        TreeSnapshot.AssertEqual(TreeSnapshot.Of(fixture.Rootfs), TreeSnapshot.Of(target));
    }

    [Fact]
    public void Export_LeavesNoMountHeld()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();

        Export(store, temp);

        Assert.Empty(store.Store.Layers.Mounts());
    }

    [Fact]
    public void UnknownImage_FailsAndWritesNothing()
    {
        using var store = new StoreHandle();
        using var output = new MemoryStream();

        Assert.Throws<ImageNotFoundException>(() => ImageExporter.ExportRootfs(store.Store, "no-such-image:1", output));

        Assert.Equal(0, output.Length);
    }

    private string Export(StoreHandle store, ScratchDirectory temp)
    {
        var image = Assert.Single(ImageImporter.Load(store.Store, fixture.Layout)).Image;
        string archive = temp.Combine("export.tar");
        using (var output = File.Create(archive)) ImageExporter.ExportRootfs(store.Store, image.Id.ToString(), output);
        return archive;
    }
}
