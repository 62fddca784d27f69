using System.Formats.Tar;
using System.Text.Json.Nodes;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;
using Images.Drivers.Tests;
using Images.Store.Transfer;
using Images.Transfer.Tests.Support;

namespace Images.Transfer.Tests;

/// <summary><c>save</c> writes archives the peer tools (skopeo, umoci) accept as they are.</summary>
[Collection(UmociCollection.Name)]
public sealed class SaveTests(UmociFixture fixture)
{
    [Fact]
    public void OciDirectory_IsReadBySkopeoAndUmoci_ByTag()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("fixture:latest");
        string layout = temp.Combine("saved");

        ImageExporter.Save(store.Store, ["fixture:latest"], layout, SaveFormat.Oci);

        // skopeo finds the image by ref.name = the tag, and gets the manifest byte for byte.
        string raw = Tool.Run("skopeo", "inspect", "--raw", $"oci:{layout}:latest");
        Assert.Equal(fixture.ManifestDigest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw)));
        var inspect = JsonNode.Parse(Tool.Run("skopeo", "inspect", $"oci:{layout}:latest"))!;
        Assert.Equal(fixture.Manifest.Layers.Select(l => l.Digest.ToString()), inspect["Layers"]!.AsArray().Select(n => n!.GetValue<string>()));
        // umoci unpacks it to the same tree it made from its own layout.
        string bundle = temp.Combine("bundle");
        Tool.Run("umoci", "unpack", "--image", $"{layout}:latest", bundle);
        TreeSnapshot.AssertEqual(TreeSnapshot.Of(fixture.Rootfs), TreeSnapshot.Of(Path.Combine(bundle, "rootfs")));

        var entry = JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")))!["manifests"]!.AsArray().Single()!;
        Assert.Equal("docker.io/library/fixture:latest", entry["annotations"]![Annotations.ContainerdImageName]!.GetValue<string>());
        Assert.Equal("latest", entry["annotations"]![Annotations.RefName]!.GetValue<string>());
        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", File.ReadAllText(Path.Combine(layout, "oci-layout")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(temp.Path), p => p.Contains(".tmp-"));
    }

    [Fact]
    public void OciTar_IsReadBySkopeo()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("fixture:latest");
        string archive = temp.Combine("saved.tar");

        ImageExporter.Save(store.Store, ["fixture:latest"], archive, SaveFormat.Oci);

        string raw = Tool.Run("skopeo", "inspect", "--raw", $"oci-archive:{archive}:latest");
        Assert.Equal(fixture.ManifestDigest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw)));
    }

    [Fact]
    public void Tar_TheSameImagesGiveTheSameBytes()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("fixture:latest");

        foreach (var format in new[] { SaveFormat.Oci, SaveFormat.Docker })
        {
            string first = temp.Combine($"first-{format}.tar"), second = temp.Combine($"second-{format}.tar");
            ImageExporter.Save(store.Store, ["fixture:latest"], first, format);
            ImageExporter.Save(store.Store, ["fixture:latest"], second, format);
            Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        }
    }

    [Fact]
    public void DockerArchive_HoldsUncompressedDiffs_AndIsReadBySkopeo()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("example.com/team/fixture:v1");
        string archive = temp.Combine("docker.tar");

        ImageExporter.Save(store.Store, ["example.com/team/fixture:v1"], archive, SaveFormat.Docker);

        var files = new Dictionary<string, Digest>();
        using (var tar = new TarReader(File.OpenRead(archive)))
            while (tar.GetNextEntry() is { } entry)
                if (entry.EntryType == TarEntryType.RegularFile) files[entry.Name] = Digest.Compute(entry.DataStream!);
        var manifest = JsonNode.Parse(ReadEntry(archive, "manifest.json"))!.AsArray().Single()!;
        Assert.Equal(["example.com/team/fixture:v1"], manifest["RepoTags"]!.AsArray().Select(n => n!.GetValue<string>()));
        string configPath = manifest["Config"]!.GetValue<string>();
        Assert.Equal(fixture.ImageId, files[configPath]);
        var layerPaths = manifest["Layers"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(fixture.Config.RootFs.DiffIds, layerPaths.Select(p => files[p]));
        var repositories = JsonNode.Parse(ReadEntry(archive, "repositories"))!;
        Assert.Equal(fixture.ImageId.Encoded, repositories["example.com/team/fixture"]!["v1"]!.GetValue<string>());

        var inspect = JsonNode.Parse(Tool.Run("skopeo", "inspect", $"docker-archive:{archive}"))!;
        Assert.Equal(fixture.Config.RootFs.DiffIds.Select(d => d.ToString()), inspect["Layers"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(fixture.ImageId.ToString(), Digest.Compute(System.Text.Encoding.UTF8.GetBytes(
            Tool.Run("skopeo", "inspect", "--config", "--raw", $"docker-archive:{archive}"))).ToString());
    }

    [Fact]
    public void ByIdAndByTwoNames_OneImageEntryPerName_AndNoNameForTheId()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("fixture:a");
        store.Store.Images.Tag(fixture.ImageId, Reference.Parse("fixture:b"));
        string layout = temp.Combine("saved");

        ImageExporter.Save(store.Store, ["fixture:a", "fixture:b", fixture.ImageId.ToString()], layout, SaveFormat.Oci);

        var entries = JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")))!["manifests"]!.AsArray();
        Assert.Equal(["a", "b"], entries.Select(e => e!["annotations"]![Annotations.RefName]!.GetValue<string>()));
        Assert.All(entries, e => Assert.Equal(fixture.ManifestDigest.ToString(), e!["digest"]!.GetValue<string>()));
        // Every blob once, nothing else.
        var blobs = Directory.EnumerateFiles(Path.Combine(layout, "blobs", "sha256")).Select(p => Path.GetFileName(p)!).Order().ToList();
        var expected = new[] { fixture.ManifestDigest, fixture.ImageId }.Concat(fixture.Manifest.Layers.Select(l => l.Digest)).Select(d => d.Encoded).Order().ToList();
        Assert.Equal(expected, blobs);
    }

    [Fact]
    public void ToANonEmptyDirectory_FailsAndLeavesItAlone()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("fixture:latest");
        string target = temp.Combine("occupied");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "precious"), "keep");

        var error = Assert.Throws<TransferException>(() => ImageExporter.Save(store.Store, ["fixture:latest"], target, SaveFormat.Oci));

        Assert.Contains("not empty", error.Message);
        Assert.Equal(["precious"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
        Assert.Equal(["occupied"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void UnknownReference_FailsAndWritesNothing()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("fixture:latest");
        string archive = temp.Combine("out.tar");

        var error = Assert.Throws<TransferException>(() => ImageExporter.Save(store.Store, ["fixture:latest", "nothing:here"], archive, SaveFormat.Oci));

        Assert.Contains("nothing:here", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("missing/out.tar")]
    [InlineData("missing/layout")]
    public void IntoAMissingDirectory_FailsAndCreatesNothing(string relative)
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("fixture:latest");

        var error = Assert.Throws<TransferException>(() => ImageExporter.Save(store.Store, ["fixture:latest"], temp.Combine(relative), SaveFormat.Oci));

        Assert.Contains("does not exist", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void OverAnExistingTar_ReplacesItWhole()
    {
        using var temp = new ScratchDirectory("transfer-test-");
        using var store = LoadNamed("fixture:latest");
        string archive = temp.Combine("out.tar");
        File.WriteAllText(archive, "old content");

        ImageExporter.Save(store.Store, ["fixture:latest"], archive, SaveFormat.Oci);

        using var second = new StoreHandle();
        Assert.Equal(fixture.ManifestDigest, Assert.Single(ImageImporter.Load(second.Store, archive)).Image.ManifestDigest);
    }

    private StoreHandle LoadNamed(string name)
    {
        var store = new StoreHandle();
        var image = Assert.Single(ImageImporter.Load(store.Store, fixture.Layout)).Image;
        store.Store.Images.Tag(image.Id, Reference.Parse(name));
        return store;
    }

    private static byte[] ReadEntry(string archive, string name)
    {
        using var tar = new TarReader(File.OpenRead(archive));
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name != name) continue;
            using var buffer = new MemoryStream();
            entry.DataStream!.CopyTo(buffer);
            return buffer.ToArray();
        }
        throw new InvalidOperationException($"{archive} has no {name}");
    }
}
