using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Images.Core.Oci;
using OciPlatform = Images.Core.Oci.Platform;
using Images.Core.References;
using Images.Registry.Client.Tests.Support;
using Images.Transfer.Tests.Support;

namespace Images.Registry.Client.Tests;

/// <summary>Pulling a reference that names an image index: the platform's manifest is picked.</summary>
public sealed class IndexTests(DockerRegistryFixture fixture) : IClassFixture<DockerRegistryFixture>
{
    private readonly DockerRegistry _registry = fixture.Registry;

    [Fact]
    public async Task An_index_resolves_to_this_platforms_image_or_the_one_asked_for()
    {
        using var source = new StoreHandle();
        var here = SampleImages.Load(source.Store, layers: 1, seed: 61);
        var other = SampleImages.Load(source.Store, layers: 1, seed: 62);
        using var client = new RegistryClient();
        var hereManifest = await client.PushAsync(source.Store, here.Id.ToString(), Reference.Parse($"{_registry.Host}/multi:here"));
        var otherManifest = await client.PushAsync(source.Store, other.Id.ToString(), Reference.Parse($"{_registry.Host}/multi:other"));

        string otherArch = OciPlatform.Current.Architecture == "arm64" ? "s390x" : "arm64";
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(
                Entry(hereManifest, OciPlatform.Current.Architecture),
                Entry(otherManifest, otherArch)),
        };
        using (var http = new HttpClient())
        {
            var content = new StringContent(index.ToJsonString());
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciIndex);
            using var response = await http.PutAsync($"http://{_registry.Host}/v2/multi/manifests/both", content);
            Assert.True(response.IsSuccessStatusCode, $"PUT index: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        using var target = new StoreHandle();
        var pulled = await client.PullAsync(target.Store, Reference.Parse($"{_registry.Host}/multi:both"));
        Assert.Equal(here.Id, pulled.ImageId);
        Assert.NotEqual(hereManifest.ManifestDigest, pulled.ManifestDigest); // the index's digest, as docker reports it

        using var chosen = new RegistryClient(new RegistryClientOptions { Platform = new OciPlatform { Os = "linux", Architecture = otherArch } });
        using var target2 = new StoreHandle();
        Assert.Equal(other.Id, (await chosen.PullAsync(target2.Store, Reference.Parse($"{_registry.Host}/multi:both"))).ImageId);

        using var none = new RegistryClient(new RegistryClientOptions { Platform = new OciPlatform { Os = "windows", Architecture = "amd64" } });
        using var target3 = new StoreHandle();
        var error = await Assert.ThrowsAsync<RegistryClientException>(() => none.PullAsync(target3.Store, Reference.Parse($"{_registry.Host}/multi:both")));
        Assert.Contains("windows/amd64", error.Message);
        Assert.Contains($"linux/{otherArch}", error.Message);
        Assert.Empty(target3.Store.Images.List());
    }

    private static JsonObject Entry(PushResult pushed, string architecture) => new()
    {
        ["mediaType"] = MediaTypes.OciManifest,
        ["digest"] = pushed.ManifestDigest.ToString(),
        ["size"] = pushed.ManifestSize,
        ["platform"] = new JsonObject { ["architecture"] = architecture, ["os"] = "linux" },
    };
}
