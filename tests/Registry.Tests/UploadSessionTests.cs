using System.Net;
using System.Security.Cryptography;
using Images.Core.Digests;
using Images.Drivers.Tests;
using Images.Registry.Server;
using Images.Registry.Tests.Support;

namespace Images.Registry.Tests;

/// <summary>Upload sessions live on disk: they survive a restart of the server and expire when idle.</summary>
public sealed class UploadSessionTests
{
    [Fact]
    public async Task An_upload_survives_a_server_restart()
    {
        using var scratch = new ScratchDirectory("registry-restart-");
        string root = scratch.Combine("store");
        var data = RandomNumberGenerator.GetBytes(600_000);
        string location;
        await using (var first = new RegistryHost(root: root))
        {
            location = await first.Client.StartUploadAsync("app");
            using var patch = await first.Client.PatchAsync(location, data[..250_000], 0);
            await RegistryHttp.ExpectAsync(patch, HttpStatusCode.Accepted);
        }
        await using var second = new RegistryHost(root: root);
        using (var status = await second.Client.SendAsync(HttpMethod.Get, location))
        {
            await RegistryHttp.ExpectAsync(status, HttpStatusCode.NoContent);
            Assert.Equal("0-249999", status.Headers.GetValues("Range").Single());
        }
        using (var rest = await second.Client.PatchAsync(location, data[250_000..], 250_000)) await RegistryHttp.ExpectAsync(rest, HttpStatusCode.Accepted);
        var digest = Digest.Compute(data);
        using var put = await second.Client.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(location, $"digest={digest}"));
        await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
        using var get = await second.Client.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Idle_sessions_expire()
    {
        await using var host = new RegistryHost(new RegistryServerOptions { UploadTimeout = TimeSpan.FromSeconds(3) });
        var location = await host.Client.StartUploadAsync("app");
        using (var patch = await host.Client.PatchAsync(location, [1, 2, 3], 0)) await RegistryHttp.ExpectAsync(patch, HttpStatusCode.Accepted);
        await Task.Delay(TimeSpan.FromSeconds(6)); // past the 3 s timeout (3 s so that a loaded machine does not expire it between POST and PATCH)
        using var status = await host.Client.SendAsync(HttpMethod.Get, location);
        await RegistryHttp.ExpectErrorAsync(status, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        Assert.Empty(Directory.GetDirectories(Path.Combine(host.Root, "registry", "uploads")));
    }
}
