using System.Text.Json.Nodes;
using Images.Cli.Tests;
using Images.Core.Digests;
using Images.Core.References;
using Images.Drivers.Common;
using Images.Drivers.Tests;
using Images.Registry.Client.Tests.Support;
using Images.Transfer.Tests.Support;

namespace Images.Registry.Client.Tests;

/// <summary>skopeo (containers/image) pulls what we push and pushes what we pull, through docker-registry.</summary>
public sealed class SkopeoInteropTests(DockerRegistryFixture fixture) : IClassFixture<DockerRegistryFixture>
{
    private readonly DockerRegistry _registry = fixture.Registry;

    private static string Skopeo(params string[] args) => ExternalCommand.Run("run skopeo (apt-get install skopeo)", "skopeo", args);

    [Fact]
    public async Task An_image_we_push_is_copied_by_skopeo_byte_for_byte()
    {
        using var source = new StoreHandle();
        using var scratch = new ScratchDirectory("skopeo-out-");
        var image = SampleImages.Load(source.Store, layers: 2, seed: 41);
        using var client = new RegistryClient();
        var pushed = await client.PushAsync(source.Store, image.Id.ToString(), Reference.Parse($"{_registry.Host}/interop/ours:1"));

        Skopeo("copy", "--src-tls-verify=false", $"docker://{_registry.Host}/interop/ours:1", $"oci:{scratch.Path}:copy");
        var index = JsonNode.Parse(File.ReadAllText(scratch.Combine("index.json")))!;
        var manifest = Digest.Parse((string)index["manifests"]![0]!["digest"]!);
        Assert.Equal(pushed.ManifestDigest, manifest);
        // skopeo verified every blob against its digest; the manifest file is ours byte for byte.
        Assert.Equal(source.Store.Images.ReadManifest(image).Bytes, File.ReadAllBytes(scratch.Combine("blobs", "sha256", manifest.Encoded)));
    }

    [Fact]
    public async Task An_image_skopeo_pushes_is_pulled_by_us()
    {
        using var layout = new ScratchDirectory("skopeo-in-");
        using var target = new StoreHandle();
        TestImages.WriteLayout(layout.Path, "sample", "1", layers: 2, filesPerLayer: 3, fileSize: 8192, seed: 42);
        Skopeo("copy", "--dest-tls-verify=false", $"oci:{layout.Path}:1", $"docker://{_registry.Host}/interop/theirs:2");
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout.Path, "index.json")))!;
        var manifestDigest = Digest.Parse((string)index["manifests"]![0]!["digest"]!);
        var manifest = JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout.Path, "blobs", "sha256", manifestDigest.Encoded)))!;
        var configDigest = Digest.Parse((string)manifest["config"]!["digest"]!);

        using var client = new RegistryClient();
        var pulled = await client.PullAsync(target.Store, Reference.Parse($"{_registry.Host}/interop/theirs:2"));
        Assert.Equal(configDigest, pulled.ImageId);
        Assert.Equal(manifestDigest, pulled.ManifestDigest);
        Assert.True(target.Store.Check(repair: false).Consistent);
    }
}
