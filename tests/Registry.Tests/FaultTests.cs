using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Images.Cli.Tests;
using Images.Core.Digests;
using Images.Drivers.Tests;
using Images.Registry.Tests.Support;

namespace Images.Registry.Tests;

/// <summary>A client or the server dying mid-upload: nothing partial becomes visible, and the upload resumes or restarts.</summary>
public sealed class FaultTests
{
    private static async Task<long> WaitForBytesAsync(RegistryHttp api, string location)
    {
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(50))
        {
            using var status = await api.SendAsync(HttpMethod.Get, location);
            if (status.StatusCode == HttpStatusCode.NoContent && ByteRangeReceived(status) is > 1 and var n) return n;
        }
        throw new TimeoutException($"the server never reported bytes of upload {location}");
    }

    private static long ByteRangeReceived(HttpResponseMessage status) =>
        Images.Registry.Distribution.ByteRange.TryParseUploadProgress(status.Headers.GetValues("Range").Single(), out long n) ? n : 0;

    private static async Task ResumeAndFinishAsync(RegistryHttp api, string location, byte[] data, Func<Task> visibleCheck)
    {
        using var status = await api.SendAsync(HttpMethod.Get, location);
        await RegistryHttp.ExpectAsync(status, HttpStatusCode.NoContent);
        long held = ByteRangeReceived(status);
        Assert.InRange(held, 1, data.Length);
        await visibleCheck();
        using (var rest = await api.PatchAsync(location, data[(int)held..], held)) await RegistryHttp.ExpectAsync(rest, HttpStatusCode.Accepted);
        var digest = Digest.Compute(data);
        using var put = await api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(location, $"digest={digest}"));
        await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
        using var get = await api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_client_killed_mid_upload_leaves_a_resumable_session_and_nothing_visible()
    {
        await using var host = new RegistryHost();
        var data = RandomNumberGenerator.GetBytes(3 << 20);
        var digest = Digest.Compute(data);
        var location = await host.Client.StartUploadAsync("app");
        using var stall = new CancellationTokenSource();
        using var dying = host.NewClient();
        var body = new StalledContent(data[..(1 << 20)], stall.Token);
        var request = dying.SendAsync(HttpMethod.Patch, location, body);
        await body.Sent.Task;
        await WaitForBytesAsync(host.Client, location);
        stall.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => request);

        await ResumeAndFinishAsync(host.Client, location, data, async () =>
        {
            using var head = await host.Client.SendAsync(HttpMethod.Head, $"/v2/app/blobs/{digest}");
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
            Assert.False(host.Store.Content.Exists(digest));
        });
    }

    [Fact]
    public async Task The_server_killed_mid_upload_recovers_and_the_upload_resumes()
    {
        using var scratch = new ScratchDirectory("registry-kill-");
        var cli = new CliRunner(scratch.Combine("store"));
        var data = RandomNumberGenerator.GetBytes(4 << 20);
        var digest = Digest.Compute(data);

        Process? server = null;
        try
        {
            (server, var address) = await StartAsync(cli);
            using var api = new RegistryHttp(new HttpClient { BaseAddress = address });
            var location = await api.StartUploadAsync("app");
            using var stall = new CancellationTokenSource();
            var body = new StalledContent(data[..(2 << 20)], stall.Token);
            var request = api.SendAsync(HttpMethod.Patch, location, body);
            await body.Sent.Task;
            await WaitForBytesAsync(api, location);

            server.Kill(); // SIGKILL: no shutdown, no cleanup
            await server.WaitForExitAsync();
            stall.Cancel();
            await Assert.ThrowsAnyAsync<Exception>(() => request);

            (server, address) = await StartAsync(cli);
            using var again = new RegistryHttp(new HttpClient { BaseAddress = address });
            await ResumeAndFinishAsync(again, location, data, async () =>
            {
                using var head = await again.SendAsync(HttpMethod.Head, $"/v2/app/blobs/{digest}");
                Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
            });
            // Restarting from scratch works as well.
            Assert.Equal(digest, await again.PushBlobAsync("fresh", data));
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill();
                server.WaitForExit();
            }
            server?.Dispose();
        }
    }

    /// <summary>Starts <c>images serve</c> on a free port and returns it with the address it printed.</summary>
    private static async Task<(Process, Uri)> StartAsync(CliRunner cli)
    {
        var process = Process.Start(cli.StartInfo("serve", "--listen", "127.0.0.1:0"))!;
        try
        {
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                int at = line.IndexOf(" on http://", StringComparison.Ordinal);
                if (line.StartsWith("serving ") && at > 0)
                {
                    _ = process.StandardOutput.ReadToEndAsync(); // keep the pipe drained
                    _ = process.StandardError.ReadToEndAsync();
                    return (process, new Uri(line[(at + 4)..]));
                }
            }
            throw new InvalidOperationException($"images serve exited without serving: {await process.StandardError.ReadToEndAsync()}");
        }
        catch
        {
            if (!process.HasExited) process.Kill();
            process.Dispose();
            throw;
        }
    }
}
