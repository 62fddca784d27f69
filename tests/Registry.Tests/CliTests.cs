using System.Security.Cryptography;
using Images.Cli.Tests;
using Images.Drivers.Tests;
using Images.Registry.Tests.Support;

namespace Images.Registry.Tests;

/// <summary><c>images gc</c> and the option parsing of <c>images serve</c>, run as the CLI process.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Gc_lists_then_removes_unreferenced_blobs()
    {
        using var scratch = new ScratchDirectory("registry-cli-");
        string root = scratch.Combine("store");
        Images.Core.Digests.Digest orphan, manifest;
        await using (var host = new RegistryHost(root: root))
        {
            (_, manifest) = await host.Client.PushImageAsync("app", "v1", [1, 2, 3]);
            orphan = await host.Client.PushBlobAsync("app", RandomNumberGenerator.GetBytes(100));
        }
        var cli = new CliRunner(root);
        var young = cli.Ok("gc");
        Assert.DoesNotContain(orphan.ToString(), young);

        var dry = cli.Ok("gc", "--grace", "0s", "--dry-run");
        Assert.Contains($"Would delete blob: {orphan}", dry);
        Assert.Contains($"Would delete link: app@{orphan}", dry);
        Assert.DoesNotContain(manifest.ToString(), dry);

        var done = cli.Ok("gc", "--grace", "0s");
        Assert.Contains($"Deleted blob: {orphan}", done);
        Assert.DoesNotContain($"{orphan}", cli.Ok("gc", "--grace", "0s"));
        Assert.True(File.Exists(Path.Combine(root, "content", "blobs", "sha256", manifest.Encoded)));
    }

    [Theory]
    [InlineData("--listen", "nonsense", "is not ADDRESS:PORT")]
    [InlineData("--gc-interval", "soon", "is not a duration")]
    [InlineData("--tls-cert", "/nonexistent.pem", "--tls-key")]
    public void Serve_refuses_bad_options_with_a_clear_message(string option, string value, string message)
    {
        using var scratch = new ScratchDirectory("registry-cli-");
        string[] listen = option == "--listen" ? [] : ["--listen", "127.0.0.1:0"];
        var result = new CliRunner(scratch.Combine("store")).Run(["serve", .. listen, option, value]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }
}
