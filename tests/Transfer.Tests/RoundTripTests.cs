using System.Formats.Tar;
using System.Text.Json.Nodes;
using Images.Core.Digests;
using Images.Core.References;
using Images.Store.Transfer;
using Images.Transfer.Tests.Support;
using Images.Drivers.Tests;

namespace Images.Transfer.Tests;

/// <summary>Load then save then load again keeps every digest: manifests, configs and layers.</summary>
[Collection(UmociCollection.Name)]
public sealed class RoundTripTests(UmociFixture fixture)
{
    [Theory]
    [InlineData("saved")]
    [InlineData("saved.tar")]
    public void OciLayout_KeepsManifestConfigAndLayerBlobs(string name)
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var first = new StoreHandle();
        var image = Assert.Single(ImageImporter.Load(first.Store, fixture.Layout)).Image;
        first.Store.Images.Tag(image.Id, Reference.Parse("roundtrip:1"));
        string saved = temp.Combine(name);

        ImageExporter.Save(first.Store, ["roundtrip:1"], saved, SaveFormat.Oci);
        using var second = new StoreHandle();
        var reloaded = Assert.Single(ImageImporter.Load(second.Store, saved));

        Assert.Equal(fixture.ManifestDigest, reloaded.Image.ManifestDigest);
        Assert.Equal(fixture.ImageId, reloaded.Image.Id);
        Assert.Equal(["Loaded image: roundtrip:1"], reloaded.Messages());
        var (manifestBytes, manifest) = second.Store.Images.ReadManifest(reloaded.Image);
        Assert.Equal(fixture.ManifestBytes, manifestBytes);
        foreach (var layer in manifest.Layers)
        {
            using var original = File.OpenRead(UmociFixture.BlobPath(fixture.Layout, layer.Digest));
            using var stored = second.Store.Content.OpenRead(layer.Digest);
            Assert.Equal(Digest.Compute(original), Digest.Compute(stored));
        }
    }

    [Fact]
    public void DockerArchive_KeepsConfigAndLayerTars()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        string peer = temp.Combine("peer.tar");
        Tool.Run("skopeo", "copy", "-q", $"oci:{fixture.Layout}:{UmociFixture.Tag}", $"docker-archive:{peer}:fixture:v1");
        using var first = new StoreHandle();
        var loaded = Assert.Single(ImageImporter.Load(first.Store, peer));
        string saved = temp.Combine("saved.tar");

        ImageExporter.Save(first.Store, ["fixture:v1"], saved, SaveFormat.Docker);
        using var second = new StoreHandle();
        var reloaded = Assert.Single(ImageImporter.Load(second.Store, saved));

        Assert.Equal(loaded.Image.Id, reloaded.Image.Id);
        // Our manifest for a docker-archive image is made the same way each time, so even its digest is stable.
        Assert.Equal(loaded.Image.ManifestDigest, reloaded.Image.ManifestDigest);
        Assert.Equal(["Loaded image: fixture:v1"], reloaded.Messages());
        Assert.Equal(DigestsNamedBy(peer), DigestsNamedBy(saved));
    }

    [Fact]
    public void DockerArchive_ThenOciLayout_ThenDockerArchive_KeepsConfigAndDiffIds()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        string peer = temp.Combine("peer.tar");
        Tool.Run("skopeo", "copy", "-q", $"oci:{fixture.Layout}:{UmociFixture.Tag}", $"docker-archive:{peer}:fixture:v1");
        using var first = new StoreHandle();
        var loaded = Assert.Single(ImageImporter.Load(first.Store, peer));
        string layout = temp.Combine("layout");
        ImageExporter.Save(first.Store, ["fixture:v1"], layout, SaveFormat.Oci);
        // skopeo reads the layout we made of a docker-archive image.
        Tool.Run("skopeo", "inspect", $"oci:{layout}:v1");

        using var second = new StoreHandle();
        var reloaded = Assert.Single(ImageImporter.Load(second.Store, layout));
        string again = temp.Combine("again.tar");
        ImageExporter.Save(second.Store, ["fixture:v1"], again, SaveFormat.Docker);

        Assert.Equal(loaded.Image.ManifestDigest, reloaded.Image.ManifestDigest);
        Assert.Equal(DigestsNamedBy(peer), DigestsNamedBy(again));
    }

    /// <summary>The digests of the config and layer files a docker-archive's manifest.json names, in order.</summary>
    private static IReadOnlyList<Digest> DigestsNamedBy(string archive)
    {
        var files = new Dictionary<string, Digest>();
        var links = new Dictionary<string, string>();
        JsonNode? manifest = null;
        using (var tar = new TarReader(File.OpenRead(archive)))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType == TarEntryType.SymbolicLink)
                    links[entry.Name] = Path.GetFullPath(entry.LinkName, "/" + Path.GetDirectoryName(entry.Name))[1..];
                if (entry.EntryType != TarEntryType.RegularFile) continue;
                if (entry.Name == "manifest.json") manifest = JsonNode.Parse(entry.DataStream!);
                else files[entry.Name] = Digest.Compute(entry.DataStream!);
            }
        }
        var image = manifest!.AsArray().Single()!;
        var paths = new[] { image["Config"]!.GetValue<string>() }.Concat(image["Layers"]!.AsArray().Select(n => n!.GetValue<string>()));
        return paths.Select(p => files[links.GetValueOrDefault(p, p)]).ToList();
    }
}
