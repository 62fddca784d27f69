using System.Net;
using System.Security.Cryptography;
using Images.Core.Digests;
using Images.Registry.Tests.Support;

namespace Images.Registry.Tests;

/// <summary>Many clients at once: shared and distinct blobs, chunked and monolithic, pushed and pulled; nothing fails, nothing is corrupt.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly RegistryHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Fifty_clients_push_and_pull_shared_and_distinct_blobs()
    {
        const int clients = 50;
        var shared = Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetBytes(256 * 1024)).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        async Task Client(int i)
        {
            using var api = _host.NewClient();
            string repo = $"load/r{i % 10}";
            var own = RandomNumberGenerator.GetBytes(64 * 1024 + i);
            var mine = shared[i % shared.Length];

            // Shared blob chunked in two (so uploads of the same digest race on completion), own blob monolithic.
            var location = await api.StartUploadAsync(repo);
            using (var p1 = await api.PatchAsync(location, mine[..100_000], 0)) await RegistryHttp.ExpectAsync(p1, HttpStatusCode.Accepted);
            using (var p2 = await api.PatchAsync(location, mine[100_000..], 100_000)) await RegistryHttp.ExpectAsync(p2, HttpStatusCode.Accepted);
            using (var put = await api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(location, $"digest={Digest.Compute(mine)}")))
                await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
            var (manifest, digest) = await api.PushImageAsync(repo, $"t{i}", own, mine);

            foreach (var (data, name) in new[] { (own, "own"), (mine, "shared") })
            {
                using var get = await api.SendAsync(HttpMethod.Get, $"/v2/{repo}/blobs/{Digest.Compute(data)}");
                await RegistryHttp.ExpectAsync(get, HttpStatusCode.OK);
                var got = await get.Content.ReadAsByteArrayAsync();
                if (!data.SequenceEqual(got)) failures.Add($"client {i}: {name} blob differs");
            }
            using var m = await api.SendAsync(HttpMethod.Get, $"/v2/{repo}/manifests/t{i}");
            var gotManifest = await m.Content.ReadAsByteArrayAsync();
            if (!manifest.SequenceEqual(gotManifest)) failures.Add($"client {i}: manifest differs");
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => Client(i))));
        Assert.Empty(failures);

        // Every stored blob is whole: its bytes hash to its name.
        foreach (var blob in _host.Store.Content.List())
        {
            using var stream = _host.Store.Content.OpenRead(blob.Digest);
            Assert.Equal(blob.Digest, Digest.Compute(stream, blob.Digest.Algorithm));
        }
        Assert.Empty(Directory.GetDirectories(Path.Combine(_host.Root, "registry", "uploads")));
    }

    [Fact]
    public async Task Two_writers_on_one_session_do_not_interleave()
    {
        var location = await _host.Client.StartUploadAsync("app");
        var chunk = RandomNumberGenerator.GetBytes(1 << 20);
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _host.Client.PatchAsync(location, chunk, 0)));
        // Exactly one chunk starting at 0 can land; the rest are refused (out of order, or the session was busy).
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.All(results.Where(r => r.StatusCode != HttpStatusCode.Accepted), r => Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, r.StatusCode));
        using var status = await _host.Client.SendAsync(HttpMethod.Get, location);
        Assert.Equal($"0-{chunk.Length - 1}", status.Headers.GetValues("Range").Single());
    }
}

/// <summary>The request limit answers TOOMANYREQUESTS while it is reached, and serves again once a slot frees.</summary>
public sealed class RequestLimitTests
{
    [Fact]
    public async Task Requests_over_the_limit_get_429_TOOMANYREQUESTS()
    {
        await using var host = new RegistryHost(new Images.Registry.Server.RegistryServerOptions { MaxConcurrentRequests = 1 });
        var location = await host.Client.StartUploadAsync("app");
        using var stall = new CancellationTokenSource();
        using var slow = host.NewClient();
        var body = new StalledContent(new byte[1000], stall.Token);
        var holding = slow.SendAsync(HttpMethod.Patch, location, body);
        await body.Sent.Task;
        // The stalled PATCH takes the one slot once its headers reach the handler: from then on, 429.
        for (int attempt = 0; ; attempt++)
        {
            using var probe = await host.Client.SendAsync(HttpMethod.Get, "/v2/");
            if (probe.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await RegistryHttp.ExpectErrorAsync(probe, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
                Assert.Equal("1", probe.Headers.GetValues("Retry-After").Single());
                break;
            }
            Assert.True(attempt < 200, "the limit never refused a request while another held the only slot");
            await Task.Delay(25);
        }
        stall.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => holding);
        for (int attempt = 0; ; attempt++)
        {
            using var again = await host.Client.SendAsync(HttpMethod.Get, "/v2/");
            if (again.StatusCode == HttpStatusCode.OK) break;
            Assert.True(attempt < 100, "the slot was never released");
            await Task.Delay(50);
        }
    }
}
