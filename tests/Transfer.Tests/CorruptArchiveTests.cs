using System.Text.Json.Nodes;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store.Transfer;
using Images.Transfer.Tests.Support;
using Images.Drivers.Tests;

namespace Images.Transfer.Tests;

/// <summary>A bad archive fails with an error that names it and the cause, and leaves the image and layer lists as they were.</summary>
[Collection(UmociCollection.Name)]
public sealed class CorruptArchiveTests(UmociFixture fixture)
{
    [Theory]
    [InlineData("oci")]
    [InlineData("docker")]
    public void TruncatedTar(string kind)
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string archive = temp.Combine("archive.tar");
        if (kind == "oci") Tool.Run("tar", "-C", fixture.Layout, "-cf", archive, "oci-layout", "index.json", "blobs");
        else Tool.Run("skopeo", "copy", "-q", $"oci:{fixture.Layout}:{UmociFixture.Tag}", $"docker-archive:{archive}:fixture:v1");
        // Cut inside the data of the entries: what is left is a valid beginning of a tar.
        using (var file = new FileStream(archive, FileMode.Open)) file.SetLength(file.Length / 2 + 100);
        string before = store.Listing();

        var error = Assert.Throws<TransferException>(() => ImageImporter.Load(store.Store, archive));

        Assert.Contains(archive, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Equal(before, store.Listing());
    }

    [Fact]
    public void IndexNamesAManifestTheLayoutLacks()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string layout = fixture.CopyLayout(temp.Combine("layout"));
        var wrong = Digest.Compute("not the manifest"u8);
        LayoutEditor.WriteIndex(layout, new Descriptor { MediaType = MediaTypes.OciManifest, Digest = wrong, Size = fixture.ManifestBytes.Length });
        string before = store.Listing();

        var error = Assert.Throws<TransferException>(() => ImageImporter.Load(store.Store, layout));

        Assert.Contains(wrong.ToString(), error.Message);
        Assert.Contains("missing", error.Message);
        Assert.Equal(before, store.Listing());
    }

    [Fact]
    public void TarWithABlobThatDoesNotMatchItsName()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string layout = fixture.CopyLayout(temp.Combine("layout"));
        var top = fixture.Manifest.Layers[^1].Digest;
        string blob = UmociFixture.BlobPath(layout, top);
        var bytes = File.ReadAllBytes(blob);
        bytes[bytes.Length / 2] ^= 0xff; // same size, other content
        File.WriteAllBytes(blob, bytes);
        string archive = temp.Combine("layout.tar");
        Tool.Run("tar", "-C", layout, "-cf", archive, "oci-layout", "index.json", "blobs");
        string before = store.Listing();

        var error = Assert.Throws<TransferException>(() => ImageImporter.Load(store.Store, archive));

        Assert.Contains(top.Encoded, error.Message);
        Assert.Equal(before, store.Listing());
    }

    [Fact]
    public void ConfigWithAWrongDiffId_ReleasesTheLayersAlreadyRegistered()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string layout = fixture.CopyLayout(temp.Combine("layout"));
        // The top layer's diffID is wrong: layers 1 and 2 register fine before layer 3 fails.
        var config = JsonNode.Parse(File.ReadAllBytes(UmociFixture.BlobPath(layout, fixture.ImageId)))!;
        var wrongDiffId = Digest.Compute("some other layer"u8);
        config["rootfs"]!["diff_ids"]![2] = wrongDiffId.ToString();
        var configDescriptor = LayoutEditor.AddBlob(layout, System.Text.Encoding.UTF8.GetBytes(config.ToJsonString()), MediaTypes.OciConfig);
        var manifest = LayoutEditor.AddBlob(layout, OciJson.Serialize(fixture.Manifest with { Config = configDescriptor }), MediaTypes.OciManifest);
        LayoutEditor.WriteIndex(layout, manifest with { Annotations = LayoutEditor.Names((Annotations.ContainerdImageName, "docker.io/library/bad:1")) });
        string before = store.Listing();

        var error = Assert.Throws<TransferException>(() => ImageImporter.Load(store.Store, layout));

        Assert.Contains("layer 3 of 3", error.Message);
        Assert.Equal(before, store.Listing());
    }

    [Fact]
    public void NotAnArchive()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string file = temp.Combine("notes.txt");
        File.WriteAllText(file, string.Concat(Enumerable.Repeat("this is not a tar archive at all\n", 40)));
        string before = store.Listing();

        var error = Assert.Throws<TransferException>(() => ImageImporter.Load(store.Store, file));

        Assert.Contains(file, error.Message);
        Assert.Equal(before, store.Listing());
    }

    [Fact]
    public void TarWithoutIndexOrManifest()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string archive = temp.Combine("other.tar");
        Tool.Run("tar", "-C", fixture.Layout, "-cf", archive, "oci-layout");

        var error = Assert.Throws<TransferException>(() => ImageImporter.Load(store.Store, archive));

        Assert.Contains("neither an OCI image layout", error.Message);
    }

    [Fact]
    public void MissingPath()
    {
        using var store = new StoreHandle();

        var error = Assert.Throws<TransferException>(() => ImageImporter.Load(store.Store, "/nonexistent/archive.tar"));

        Assert.Contains("no such file or directory", error.Message);
    }
}
