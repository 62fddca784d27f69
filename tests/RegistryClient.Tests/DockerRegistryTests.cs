using Images.Core.References;
using Images.Registry.Client;
using Images.Registry.Client.Tests.Support;
using Images.Transfer.Tests.Support;
using Images.Drivers.Tests;

namespace Images.Registry.Client.Tests;

/// <summary>One docker-registry for the class; each test uses its own repositories.</summary>
public sealed class DockerRegistryFixture : IDisposable
{
    public DockerRegistry Registry { get; } = DockerRegistry.Start();
    public void Dispose() => Registry.Dispose();
}

/// <summary>Push and pull against Debian's reference registry (distribution 2.8).</summary>
public sealed class DockerRegistryTests(DockerRegistryFixture fixture) : IClassFixture<DockerRegistryFixture>
{
    private readonly DockerRegistry _registry = fixture.Registry;

    private Reference Ref(string repository, string tag = "1") => Reference.Parse($"{_registry.Host}/{repository}:{tag}");

    [Fact]
    public async Task Push_then_pull_into_another_store_gives_the_same_image_and_rootfs()
    {
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 3);
        using var client = new RegistryClient();

        var pushed = await client.PushAsync(source.Store, image.Id.ToString(), Ref("roundtrip"));
        Assert.Equal(image.ManifestDigest, pushed.ManifestDigest);
        Assert.Equal(4, pushed.BlobsSent); // config + 3 layers
        Assert.Equal(0, pushed.BlobsSkipped + pushed.BlobsMounted);

        var pulled = await client.PullAsync(target.Store, Ref("roundtrip"));
        Assert.Equal(image.Id, pulled.ImageId);
        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(3, pulled.BlobsFetched);
        var local = target.Store.Images.Resolve($"{_registry.Host}/roundtrip:1");
        Assert.Equal(image.Id, local.Id);
        Assert.Equal([$"{_registry.Host}/roundtrip:1"], local.Tags.Select(t => t.ToString()));
        Assert.Equal(source.Store.Layers.List().Select(l => l.ChainId.ToString()).Order(), target.Store.Layers.List().Select(l => l.ChainId.ToString()).Order());
        TreeSnapshot.AssertEqual(SampleImages.Rootfs(source.Store, image), SampleImages.Rootfs(target.Store, local));
        Assert.True(target.Store.Check(repair: false).Consistent);
    }

    [Fact]
    public async Task Second_push_sends_nothing_and_second_pull_fetches_nothing()
    {
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 2, seed: 2);
        using var client = new RegistryClient();
        await client.PushAsync(source.Store, image.Id.ToString(), Ref("again"));

        var second = await client.PushAsync(source.Store, image.Id.ToString(), Ref("again"));
        Assert.Equal((0, 0, 3, 0L), (second.BlobsSent, second.BlobsMounted, second.BlobsSkipped, second.BytesSent));

        await client.PullAsync(target.Store, Ref("again"));
        var again = await client.PullAsync(target.Store, Ref("again"));
        Assert.Equal((0, 2, 0L), (again.BlobsFetched, again.BlobsSkipped, again.BytesFetched));
        Assert.Equal(image.Id, again.ImageId);
    }

    [Fact]
    public async Task Push_to_another_repository_mounts_the_blobs_it_knows_are_there()
    {
        using var source = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 2, seed: 3);
        var progress = new RecordingProgress();
        using var client = new RegistryClient(new RegistryClientOptions { Progress = progress });
        await client.PushAsync(source.Store, image.Id.ToString(), Ref("mount-a"));
        Assert.Contains("mount-a", source.Store.BlobSources.Repositories(image.Id, _registry.Host));

        var mounted = await client.PushAsync(source.Store, image.Id.ToString(), Ref("mount-b"));
        Assert.Equal((3, 0, 0L), (mounted.BlobsMounted, mounted.BlobsSent, mounted.BytesSent));
        Assert.Equal(3, progress.Finished.Count(f => f.Status == "Mounted from mount-a"));

        using var target = new StoreHandle();
        Assert.Equal(image.Id, (await client.PullAsync(target.Store, Ref("mount-b"))).ImageId);
    }

    [Fact]
    public async Task A_wrong_mount_hint_is_forgotten_and_the_blob_uploaded()
    {
        using var source = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 1, seed: 4);
        foreach (var blob in SampleImages.BlobsOf(source.Store, image))
            source.Store.BlobSources.Record(blob, _registry.Host, "never-pushed");
        using var client = new RegistryClient();

        var result = await client.PushAsync(source.Store, image.Id.ToString(), Ref("hinted"));
        Assert.Equal((0, 2), (result.BlobsMounted, result.BlobsSent));
        Assert.DoesNotContain("never-pushed", source.Store.BlobSources.Repositories(image.Id, _registry.Host));
    }

    [Fact]
    public async Task Pull_of_a_missing_tag_names_registry_repository_and_the_servers_code()
    {
        using var target = new StoreHandle();
        using var client = new RegistryClient();
        var error = await Assert.ThrowsAsync<RegistryClientException>(() => client.PullAsync(target.Store, Ref("absent", "nope")));
        Assert.Contains(_registry.Host, error.Message);
        Assert.Contains("repository absent", error.Message);
        Assert.Contains("MANIFEST_UNKNOWN", error.Message);
        Assert.Equal("MANIFEST_UNKNOWN", error.ErrorCode);
        Assert.Empty(target.Store.Images.List());
    }

    [Fact]
    public async Task Pull_by_digest_adds_the_image_without_a_tag()
    {
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 1, seed: 5);
        using var client = new RegistryClient();
        var pushed = await client.PushAsync(source.Store, image.Id.ToString(), Ref("bydigest"));

        var pulled = await client.PullAsync(target.Store, Reference.Parse($"{_registry.Host}/bydigest@{pushed.ManifestDigest}"));
        Assert.Equal(image.Id, pulled.ImageId);
        Assert.Empty(target.Store.Images.Get(image.Id)!.Tags);
    }
}

/// <summary>Records what a transfer reported.</summary>
public sealed class RecordingProgress : ITransferProgress
{
    private readonly object _gate = new();
    public List<(Core.Digests.Digest Digest, string Status)> Finished { get; } = [];
    public long Bytes;

    public void Start(Core.Digests.Digest digest, long size, string status) { }
    public void Advance(Core.Digests.Digest digest, long bytes) => Interlocked.Add(ref Bytes, bytes);
    public void Finish(Core.Digests.Digest digest, string status) { lock (_gate) Finished.Add((digest, status)); }
}
