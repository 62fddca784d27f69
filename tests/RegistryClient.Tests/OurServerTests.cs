using Images.Core.References;
using Images.Drivers.Tests;
using Images.Registry.Client.Tests.Support;
using Images.Registry.Tests.Support;
using Images.Transfer.Tests.Support;

namespace Images.Registry.Client.Tests;

public sealed class OurServerFixture : IDisposable
{
    public RegistryHost Server { get; } = new();
    public void Dispose() => Server.Dispose();
}

/// <summary>The same push and pull cases against our own server (<c>images serve</c>'s RegistryServer on Kestrel).</summary>
public sealed class OurServerTests(OurServerFixture fixture) : IClassFixture<OurServerFixture>
{
    private readonly RegistryHost _server = fixture.Server;

    private Reference Ref(string repository, string tag = "1") => Reference.Parse($"{_server.HostPort}/{repository}:{tag}");

    [Fact]
    public async Task Push_then_pull_into_another_store_gives_the_same_image_and_rootfs()
    {
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 3, seed: 51);
        using var client = new RegistryClient();

        var pushed = await client.PushAsync(source.Store, image.Id.ToString(), Ref("ours/roundtrip"));
        Assert.Equal((image.ManifestDigest, 4), (pushed.ManifestDigest, pushed.BlobsSent));
        // The server keeps blobs in its content store: the pushed image's blobs are there, once.
        Assert.All(SampleImages.BlobsOf(source.Store, image), d => Assert.True(_server.Store.Content.Exists(d)));

        var pulled = await client.PullAsync(target.Store, Ref("ours/roundtrip"));
        Assert.Equal(image.Id, pulled.ImageId);
        var local = target.Store.Images.Resolve($"{_server.HostPort}/ours/roundtrip:1");
        TreeSnapshot.AssertEqual(SampleImages.Rootfs(source.Store, image), SampleImages.Rootfs(target.Store, local));
    }

    [Fact]
    public async Task Second_push_sends_nothing_and_another_repository_mounts()
    {
        using var source = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 2, seed: 52);
        using var client = new RegistryClient();
        await client.PushAsync(source.Store, image.Id.ToString(), Ref("ours/first"));

        var again = await client.PushAsync(source.Store, image.Id.ToString(), Ref("ours/first"));
        Assert.Equal((0, 3, 0L), (again.BlobsSent, again.BlobsSkipped, again.BytesSent));
        var mounted = await client.PushAsync(source.Store, image.Id.ToString(), Ref("ours/second"));
        Assert.Equal((0, 3), (mounted.BlobsSent, mounted.BlobsMounted));

        using var target = new StoreHandle();
        Assert.Equal(image.Id, (await client.PullAsync(target.Store, Ref("ours/second"))).ImageId);
    }

    [Fact]
    public async Task A_connection_dropped_mid_upload_resumes_from_the_range_the_server_reports()
    {
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        var (image, layer) = FaultTests.LargeLayerImage(source);
        using var proxy = new FaultProxy(_server.BaseAddress.Port, cutAfter: 1_300_000);
        using var client = new RegistryClient(new RegistryClientOptions { ChunkSize = 512 << 10, MonolithicLimit = 0 });

        var pushed = await client.PushAsync(source.Store, image.Id.ToString(), Reference.Parse($"{proxy.Host}/ours/resumed:1"));
        Assert.Equal(1, proxy.Cuts);
        // Resumed, not restarted: at most the chunk that was cut is sent again.
        Assert.InRange(pushed.BytesSent, layer.Size, layer.Size + (512 << 10) + 1024);

        var pulled = await client.PullAsync(target.Store, Ref("ours/resumed"));
        Assert.Equal(image.Id, pulled.ImageId);
    }
}
