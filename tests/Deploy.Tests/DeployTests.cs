using System.Diagnostics;
using System.Text.RegularExpressions;
using Images.Cli.Tests;
using Images.Drivers.Tests;
using Images.Store;

namespace Images.Deploy.Tests;

/// <summary>
/// Two stores on one machine: the source builds and deploys, the target runs <c>images serve</c> (registry + node
/// API) and the app's releases as containers.
/// </summary>
[Collection(nameof(DeployTests))]
public sealed partial class DeployTests(AppImages images) : IClassFixture<AppImages>
{
    private const string HealthCmd = $"wget -q -O /dev/null http://127.0.0.1:{AppImages.Port}/index.html";

    private sealed class Target : IDisposable
    {
        private readonly ScratchDirectory _scratch = new("deploy-target-");

        public Target() => Cli = new CliRunner(_scratch.Combine("store"));

        public CliRunner Cli { get; }
        public ServeProcess? Server { get; set; }

        public async Task<ServeProcess> StartAsync()
        {
            Server?.Dispose();
            Server = await ServeProcess.StartAsync(Cli);
            return Server;
        }

        public void Dispose()
        {
            Server?.Dispose();
            // Every container of the target goes, running or not, so nothing outlives the test.
            foreach (var id in Containers(Cli)) Cli.Run("rm", "-f", id);
            _scratch.Dispose();
        }
    }

    private static IEnumerable<string> Containers(CliRunner cli) =>
        cli.Ok("ps", "-a", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private CliRunner.Result Deploy(Target target, string version, params string[] extra) =>
        images.Source.Run([
            "deploy", $"app:{version}", "--to", target.Server!.HostPort, "--app", "web", "--network", "none",
            "--health-cmd", HealthCmd, "--health-timeout", "20", .. extra]);

    /// <summary>What the app's container serves, fetched inside its own network namespace.</summary>
    private static string Served(Target target, string container) =>
        target.Cli.Ok("exec", container, "wget", "-q", "-O", "-", $"http://127.0.0.1:{AppImages.Port}/index.html").Trim();

    /// <summary>Container names as <c>ps</c> lists them (the last column), running ones or all.</summary>
    private static IReadOnlyList<string> Names(Target target, bool all = false) =>
        target.Cli.Ok(all ? ["ps", "-a"] : ["ps"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToList();

    private static bool IsRunning(Target target, string container) => Names(target).Contains(container);

    /// <summary>A replaced release is stopped after the switch, in the background (its process may take the stop timeout).</summary>
    private static async Task AssertStopsAsync(Target target, string container)
    {
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(200))
            if (!IsRunning(target, container)) return;
        Assert.Fail($"the replaced release's container {container} still runs 30 s after the switch");
    }

    [GeneratedRegex(@"\((\d+) bytes\) sent")]
    private static partial Regex BytesSent();

    private static long Sent(CliRunner.Result result) => long.Parse(BytesSent().Match(result.Stdout).Groups[1].Value);

    private long AppLayerSize(string version)
    {
        using var store = LocalStore.Open(new StoreOptions { Root = images.Source.Root, Driver = images.Source.Driver });
        var image = store.Images.Resolve($"app:{version}");
        return store.Images.ReadManifest(image).Manifest.Layers[^1].Size;
    }

    [Fact]
    public async Task V2_ShipsOnlyTheChangedLayer_ServesTheNewContent_AndRollbackBringsV1Back()
    {
        using var target = new Target();
        await target.StartAsync();

        var v1 = Deploy(target, "v1");
        Assert.True(v1.ExitCode == 0, v1.ToString());
        Assert.Contains("0 already on", v1.Stdout);
        Assert.Equal("release v1", Served(target, "web.1"));

        var v2 = Deploy(target, "v2");
        Assert.True(v2.ExitCode == 0, v2.ToString());
        long changed = AppLayerSize("v2");
        long sent = Sent(v2);
        Assert.True(sent >= changed && sent <= changed * 1.10, $"v2 sent {sent} bytes; its changed layer is {changed} bytes compressed\n{v2}");
        Assert.Equal("release v2", Served(target, "web.2"));
        Assert.True(IsRunning(target, "web.2"));
        await AssertStopsAsync(target, "web.1");

        var listing = images.Source.Ok("apps", "--to", target.Server!.HostPort);
        Assert.Matches(@"web\s+2\s+\w{12}\s+\w{12}\s+1\s+", listing);

        var rollback = images.Source.Ok("rollback", "--to", target.Server.HostPort, "--app", "web");
        Assert.Contains("release 1 of web is live again", rollback);
        Assert.Equal("release v1", Served(target, "web.1"));
        await AssertStopsAsync(target, "web.2");
    }

    [Fact]
    public async Task AReleaseThatNeverBecomesHealthy_IsReported_AndTheLiveOneKeepsRunning()
    {
        using var target = new Target();
        await target.StartAsync();
        Assert.Equal(0, Deploy(target, "v1").ExitCode);

        var bad = images.Source.Run(
            "deploy", "app:v2", "--to", target.Server!.HostPort, "--app", "web", "--network", "none",
            "--health-cmd", "wget -q -O /dev/null http://127.0.0.1:9/nothing-listens-here", "--health-timeout", "2");

        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("release 2 of app web did not go live", bad.Stderr);
        Assert.Contains("release 1 stays live", bad.Stderr);
        Assert.True(IsRunning(target, "web.1"));
        Assert.Equal("release v1", Served(target, "web.1"));
        Assert.DoesNotContain("web.2", Names(target, all: true));
    }

    [Fact]
    public async Task KillingTheDeployOrTheTarget_AtAnyPoint_NeverLeavesTheAppWithoutARunningRelease()
    {
        using var target = new Target();
        await target.StartAsync();
        Assert.Equal(0, Deploy(target, "v1").ExitCode);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, Deploy(target, "v2").ExitCode);
        var full = clock.Elapsed;
        var random = new Random(7);

        for (int round = 0; round < 4; round++)
        {
            bool killTarget = round % 2 == 1;
            var deploy = Process.Start(images.Source.StartInfo(
                "deploy", $"app:{AppImages.Versions[round % 3]}", "--to", target.Server!.HostPort, "--app", "web", "--network", "none",
                "--health-cmd", HealthCmd, "--health-timeout", "20"))!;
            deploy.StandardInput.Close();
            _ = deploy.StandardOutput.ReadToEndAsync();
            _ = deploy.StandardError.ReadToEndAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * full.TotalMilliseconds));
            if (killTarget)
            {
                target.Server.Kill();
                await target.StartAsync(); // recovers what the killed server left
            }
            if (!deploy.HasExited) deploy.Kill();
            await deploy.WaitForExitAsync();

            // The server may still be finishing the deploy the client started: wait for it to settle either way.
            string live = await LiveContainerAsync(target);
            Assert.True(IsRunning(target, live), $"round {round}: the live release's container {live} is not running");
            Assert.StartsWith("release v", Served(target, live));
        }

        var again = Deploy(target, "v3");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("release v3", Served(target, LiveName(target)));
    }

    /// <summary>The live release's container, once no deploy is pending on the target.</summary>
    private static async Task<string> LiveContainerAsync(Target target)
    {
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(200))
        {
            var row = AppRow(target);
            if (row is not null && row[^1] == "-") return "web." + row[1];
        }
        throw new TimeoutException("a deploy stayed pending on the target for a minute");
    }

    private static string LiveName(Target target) => "web." + AppRow(target)![1];

    /// <summary>The app's row of <c>images apps</c>, split into columns (the last one lists releases being deployed).</summary>
    private static string[]? AppRow(Target target)
    {
        var apps = target.Cli.Run("apps", "--to", target.Server!.HostPort);
        return apps.ExitCode != 0 ? null
            : apps.Stdout.Split('\n').Where(l => l.StartsWith("web ")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault();
    }
}
