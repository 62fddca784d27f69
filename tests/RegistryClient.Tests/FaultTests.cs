using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;
using Images.Drivers.Tests;
using Images.Registry.Client.Tests.Support;
using Images.Transfer.Tests.Support;

namespace Images.Registry.Client.Tests;

/// <summary>What a registry or the network gets wrong: corrupt blobs, changed manifests, dropped connections.</summary>
public sealed class FaultTests
{
    /// <summary>Serves the sample image of <paramref name="source"/> from a fake registry as repository <c>bad</c>, tag 1, changing one layer's bytes.</summary>
    private static Digest ServeTampered(StoreHandle source, FakeRegistry fake)
    {
        var image = SampleImages.Load(source.Store, layers: 2, seed: 11);
        var (manifestBytes, manifest) = source.Store.Images.ReadManifest(image);
        fake.Add("/v2/bad/manifests/1", MediaTypes.OciManifest, manifestBytes);
        fake.Add($"/v2/bad/manifests/{image.ManifestDigest}", MediaTypes.OciManifest, manifestBytes);
        fake.Add($"/v2/bad/blobs/{manifest.Config.Digest}", "application/octet-stream", source.Store.Content.ReadAllBytes(manifest.Config.Digest));
        var good = manifest.Layers[0];
        fake.Add($"/v2/bad/blobs/{good.Digest}", "application/octet-stream", source.Store.Content.ReadAllBytes(good.Digest));
        var bad = manifest.Layers[1];
        var bytes = source.Store.Content.ReadAllBytes(bad.Digest);
        bytes[bytes.Length / 2] ^= 0x5a; // same size, other content
        fake.Add($"/v2/bad/blobs/{bad.Digest}", "application/octet-stream", bytes);
        return bad.Digest;
    }

    [Fact]
    public async Task A_blob_that_does_not_match_its_digest_is_refused_and_nothing_is_registered()
    {
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        using var fake = new FakeRegistry();
        var tampered = ServeTampered(source, fake);
        using var client = new RegistryClient();

        var error = await Assert.ThrowsAsync<RegistryClientException>(() => client.PullAsync(target.Store, Reference.Parse($"{fake.Host}/bad:1")));
        Assert.Contains(tampered.ToString(), error.Message);
        Assert.Contains(fake.Host, error.Message);
        Assert.Contains("repository bad", error.Message);
        Assert.Equal(tampered, error.Digest);
        Assert.Empty(target.Store.Images.List());
        Assert.Empty(target.Store.Layers.List());
        Assert.False(target.Store.Content.Exists(tampered));
    }

    [Fact]
    public async Task A_manifest_that_does_not_match_the_digest_asked_for_is_refused()
    {
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        using var fake = new FakeRegistry();
        ServeTampered(source, fake);
        var other = Digest.Compute("not this manifest"u8);
        fake.Add($"/v2/bad/manifests/{other}", MediaTypes.OciManifest, "{\"schemaVersion\":2}"u8.ToArray());
        using var client = new RegistryClient();

        var error = await Assert.ThrowsAsync<RegistryClientException>(() => client.PullAsync(target.Store, Reference.Parse($"{fake.Host}/bad@{other}")));
        Assert.Contains("does not match its digest", error.Message);
        Assert.Contains(other.ToString(), error.Message);
        Assert.Empty(target.Store.Images.List());
    }

    [Fact]
    public async Task A_connection_dropped_mid_upload_to_docker_registry_restarts_the_upload_and_the_push_succeeds()
    {
        // distribution 2.8 cancels an upload session whose PATCH broke (its status GET answers 404
        // BLOB_UPLOAD_INVALID): the client starts a new session once. Resuming from the Range is tested against our server.
        using var registry = DockerRegistry.Start();
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        var (image, layer) = LargeLayerImage(source);
        using var proxy = new FaultProxy(registry.Port, cutAfter: 1_300_000);
        using var client = new RegistryClient(new RegistryClientOptions { ChunkSize = 512 << 10, MonolithicLimit = 0 });

        var pushed = await client.PushAsync(source.Store, image.Id.ToString(), Reference.Parse($"{proxy.Host}/restarted:1"));
        Assert.Equal(1, proxy.Cuts);
        Assert.Equal(2, pushed.BlobsSent);
        Assert.InRange(pushed.BytesSent, layer.Size + 1, 2 * layer.Size + (1 << 20));

        var pulled = await client.PullAsync(target.Store, Reference.Parse($"{registry.Host}/restarted:1"));
        Assert.Equal(image.Id, pulled.ImageId);
    }

    /// <summary>One layer of ~3 MB (random files: gzip keeps their size), big enough for several 512 KiB chunks.</summary>
    internal static (Store.Catalog.Image Image, Descriptor Layer) LargeLayerImage(StoreHandle source)
    {
        var image = SampleImages.Load(source.Store, layers: 1, files: 6, fileSize: 512 << 10, seed: 12);
        var layer = source.Store.Images.ReadManifest(image).Manifest.Layers[0];
        Assert.True(layer.Size > 2_500_000, $"the sample layer is too small for the test ({layer.Size} bytes)");
        return (image, layer);
    }
}
