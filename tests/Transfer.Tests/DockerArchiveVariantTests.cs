using System.Text.Json.Nodes;
using Images.Core.Oci;
using Images.Store.Transfer;
using Images.Transfer.Tests.Support;
using Images.Drivers.Tests;

namespace Images.Transfer.Tests;

/// <summary>The docker-archive layouts docker has written over the years, made from the fixture.</summary>
[Collection(UmociCollection.Name)]
public sealed class DockerArchiveVariantTests(UmociFixture fixture)
{
    [Fact]
    public void LegacyLayerDirectories_ThroughSymlinks_InATarAndUnpacked()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        string peer = temp.Combine("peer.tar");
        Tool.Run("skopeo", "copy", "-q", $"oci:{fixture.Layout}:{UmociFixture.Tag}", $"docker-archive:{peer}:fixture:v1");
        string unpacked = temp.Combine("unpacked");
        Directory.CreateDirectory(unpacked);
        Tool.Run("tar", "-C", unpacked, "-xf", peer);
        // Docker before 25 named layers <v1 id>/layer.tar; point them at the tars through relative symlinks.
        var manifest = JsonNode.Parse(File.ReadAllBytes(Path.Combine(unpacked, "manifest.json")))!;
        var layers = manifest[0]!["Layers"]!.AsArray();
        for (int i = 0; i < layers.Count; i++)
        {
            string directory = Path.Combine(unpacked, $"legacy{i}");
            Directory.CreateDirectory(directory);
            File.CreateSymbolicLink(Path.Combine(directory, "layer.tar"), "../" + layers[i]!.GetValue<string>());
            File.WriteAllText(Path.Combine(directory, "json"), "{}");
            layers[i] = $"legacy{i}/layer.tar";
        }
        File.WriteAllText(Path.Combine(unpacked, "manifest.json"), manifest.ToJsonString());
        string archive = temp.Combine("legacy.tar");
        Tool.Run("tar", "-C", unpacked, "-cf", archive, ".");

        using var fromTar = new StoreHandle();
        var loaded = Assert.Single(ImageImporter.Load(fromTar.Store, archive));
        using var fromDirectory = new StoreHandle();
        var loadedFromDirectory = Assert.Single(ImageImporter.Load(fromDirectory.Store, unpacked));

        Assert.Equal(fixture.ImageId, loaded.Image.Id);
        Assert.Equal(["Loaded image: fixture:v1"], loaded.Messages());
        Assert.Equal(loaded.Image.ManifestDigest, loadedFromDirectory.Image.ManifestDigest);
        Assert.Equal(loaded.Image.TopLayer, loadedFromDirectory.Image.TopLayer);
    }

    [Fact]
    public void BlobPathsWithCompressedLayers_AndNoIndex_KeepTheCompressedBlobs()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string layout = fixture.CopyLayout(temp.Combine("layout"));
        File.Delete(Path.Combine(layout, "index.json"));
        var entry = new JsonObject
        {
            ["Config"] = $"blobs/sha256/{fixture.ImageId.Encoded}",
            ["RepoTags"] = new JsonArray("fixture:blobs"),
            ["Layers"] = new JsonArray(fixture.Manifest.Layers.Select(l => (JsonNode)$"blobs/sha256/{l.Digest.Encoded}").ToArray()),
        };
        File.WriteAllText(Path.Combine(layout, "manifest.json"), new JsonArray(entry).ToJsonString());
        string archive = temp.Combine("archive.tar");
        Tool.Run("tar", "-C", layout, "-cf", archive, "manifest.json", "blobs");

        var loaded = Assert.Single(ImageImporter.Load(store.Store, archive));

        Assert.Equal(fixture.ImageId, loaded.Image.Id);
        var (_, manifest) = store.Store.Images.ReadManifest(loaded.Image);
        Assert.Equal(fixture.Manifest.Layers.Select(l => l.Digest), manifest.Layers.Select(l => l.Digest));
        Assert.All(manifest.Layers, l => Assert.Equal(MediaTypes.OciLayerGzip, l.MediaType));
    }

    [Fact]
    public void NewerDockerSave_WithIndexAndManifestJson_IsReadAsTheOciLayout()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = new StoreHandle();
        string layout = fixture.CopyLayout(temp.Combine("layout"));
        LayoutEditor.WriteIndex(layout, new Descriptor
        {
            MediaType = MediaTypes.OciManifest, Digest = fixture.ManifestDigest, Size = fixture.ManifestBytes.Length,
            Annotations = LayoutEditor.Names((Annotations.ContainerdImageName, "docker.io/library/fixture:oci"), (Annotations.RefName, "oci")),
        });
        // A manifest.json that names another tag: the index wins, and with it the manifest digest is kept.
        var entry = new JsonObject
        {
            ["Config"] = $"blobs/sha256/{fixture.ImageId.Encoded}",
            ["RepoTags"] = new JsonArray("fixture:legacy"),
            ["Layers"] = new JsonArray(fixture.Manifest.Layers.Select(l => (JsonNode)$"blobs/sha256/{l.Digest.Encoded}").ToArray()),
        };
        File.WriteAllText(Path.Combine(layout, "manifest.json"), new JsonArray(entry).ToJsonString());
        string archive = temp.Combine("archive.tar");
        Tool.Run("tar", "-C", layout, "-cf", archive, "blobs", "manifest.json", "oci-layout", "index.json");

        var loaded = Assert.Single(ImageImporter.Load(store.Store, archive));

        Assert.Equal(fixture.ManifestDigest, loaded.Image.ManifestDigest);
        Assert.Equal(["Loaded image: fixture:oci"], loaded.Messages());
    }
}
