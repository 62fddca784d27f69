using System.Security.Cryptography;
using Images.Core.Digests;
using Images.Registry.Tests.Support;

namespace Images.Registry.Tests;

/// <summary>Registry GC and the store's own prune agree on what repositories hold.</summary>
public sealed class GarbageCollectionTests : IDisposable
{
    private readonly RegistryHost _host = new();
    private RegistryHttp Api => _host.Client;

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Gc_keeps_referenced_blobs_and_young_unreferenced_ones()
    {
        var layer = RandomNumberGenerator.GetBytes(1000);
        var (manifest, manifestDigest) = await Api.PushImageAsync("app", "v1", layer);
        var orphan = await Api.PushBlobAsync("app", RandomNumberGenerator.GetBytes(500));

        // Within the grace period, a blob no manifest names yet (a push in progress) survives.
        var report = _host.Store.CollectRegistryGarbage(TimeSpan.FromHours(1));
        Assert.Empty(report.BlobsRemoved);
        Assert.True(_host.Store.Content.Exists(orphan));

        var dry = _host.Store.CollectRegistryGarbage(TimeSpan.Zero, dryRun: true);
        Assert.Equal([orphan], dry.BlobsRemoved);
        Assert.True(_host.Store.Content.Exists(orphan));

        report = _host.Store.CollectRegistryGarbage(TimeSpan.Zero);
        Assert.Equal([orphan], report.BlobsRemoved);
        Assert.Equal([$"app@{orphan}"], report.LinksRemoved);
        Assert.False(_host.Store.Content.Exists(orphan));
        Assert.True(_host.Store.Content.Exists(manifestDigest));
        Assert.True(_host.Store.Content.Exists(Digest.Compute(layer)));
        using var get = await Api.SendAsync(HttpMethod.Get, "/v2/app/manifests/v1");
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Deleting_a_manifest_frees_its_blobs_at_the_next_gc()
    {
        var layer = RandomNumberGenerator.GetBytes(1000);
        var (_, digest) = await Api.PushImageAsync("app", "v1", layer);
        // The same layer in another repository's image stays.
        var (_, keptDigest) = await Api.PushImageAsync("keep", "v1", layer);
        using (var del = await Api.SendAsync(HttpMethod.Delete, $"/v2/app/manifests/{digest}")) Assert.Equal(System.Net.HttpStatusCode.Accepted, del.StatusCode);
        var report = _host.Store.CollectRegistryGarbage(TimeSpan.Zero);
        Assert.Contains(digest, report.BlobsRemoved);
        Assert.DoesNotContain(Digest.Compute(layer), report.BlobsRemoved);
        Assert.True(_host.Store.Content.Exists(keptDigest));
    }

    [Fact]
    public async Task The_store_prune_keeps_what_repositories_hold()
    {
        var layer = RandomNumberGenerator.GetBytes(1000);
        var (_, digest) = await Api.PushImageAsync("app", "v1", layer);
        var linkedOnly = await Api.PushBlobAsync("app", RandomNumberGenerator.GetBytes(10));
        var report = _host.Store.Prune(all: true);
        Assert.Empty(report.BlobsRemoved);
        Assert.True(_host.Store.Content.Exists(digest));
        Assert.True(_host.Store.Content.Exists(linkedOnly));
        Assert.Empty(_host.Store.Check(repair: false).Garbage);
    }

    [Fact]
    public async Task Serve_collects_on_its_schedule()
    {
        await using var host = new RegistryHost(new Images.Registry.Server.RegistryServerOptions
        {
            // The grace covers the image push below (blobs before their manifest), not the wait for the orphan.
            GcInterval = TimeSpan.FromMilliseconds(200), GcGrace = TimeSpan.FromSeconds(3),
        });
        var (_, manifest) = await host.Client.PushImageAsync("app", "v1", [4, 5, 6]);
        var orphan = await host.Client.PushBlobAsync("app", RandomNumberGenerator.GetBytes(100));
        for (int attempt = 0; host.Store.Content.Exists(orphan); attempt++)
        {
            Assert.True(attempt < 600, "the scheduled collection never removed the unreferenced blob");
            await Task.Delay(50);
        }
        Assert.True(host.Store.Content.Exists(manifest));
    }
}
