using Images.Cli.Tests;
using Images.Drivers.Tests;
using Images.Registry.Client.Tests.Support;

namespace Images.Registry.Client.Tests;

/// <summary><c>images push/pull/login/logout</c> as a user runs them (not on a terminal: plain lines).</summary>
public sealed class CliTests
{
    private sealed class Cli
    {
        private readonly CliRunner _runner;

        public Cli(string root, string dockerConfig)
        {
            _runner = new CliRunner(root);
            _runner.Environment["DOCKER_CONFIG"] = dockerConfig;
        }

        public CliRunner.Result Run(string? stdin, params string[] args) => _runner.RunWithInput(stdin, args);

        public string Ok(string? stdin, params string[] args)
        {
            var result = Run(stdin, args);
            Assert.True(result.ExitCode == 0, $"images {string.Join(' ', args)} failed: {result}");
            return result.Stdout;
        }
    }

    private static string? IdOf(string inspectJson) => (string?)System.Text.Json.Nodes.JsonNode.Parse(inspectJson)![0]!["Id"];

    [Fact]
    public void Login_push_pull_logout_print_what_docker_prints()
    {
        using var registry = DockerRegistry.StartWithBasicAuth("carol", "pw-1");
        using var scratch = new ScratchDirectory("registry-cli-");
        string config = scratch.Combine("docker");
        var source = new Cli(scratch.Combine("a"), config);
        var target = new Cli(scratch.Combine("b"), config);
        using (var layout = new ScratchDirectory("registry-cli-layout-"))
        {
            TestImages.WriteLayout(layout.Path, "sample", "1", layers: 2, filesPerLayer: 2, fileSize: 4096, seed: 31);
            source.Ok(null, "load", "-i", layout.Path);
        }
        string name = $"{registry.Host}/cli/app:7";
        source.Ok(null, "tag", "sample:1", name);

        var denied = source.Run(null, "push", name);
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains($"images login {registry.Host}", denied.Stderr);

        var refused = source.Run("wrong\n", "login", "-u", "carol", "--password-stdin", registry.Host);
        Assert.Equal(1, refused.ExitCode);
        Assert.False(File.Exists(Path.Combine(config, "config.json")));
        Assert.Contains("Login Succeeded", source.Ok("pw-1\n", "login", "-u", "carol", "--password-stdin", registry.Host));
        Assert.True(File.Exists(Path.Combine(config, "config.json")));

        string pushed = source.Ok(null, "push", name);
        var lines = pushed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"The push refers to repository [{registry.Host}/cli/app]", lines[0]);
        Assert.Equal(3, lines.Count(l => l.EndsWith(": Pushed", StringComparison.Ordinal)));
        Assert.Matches(@"^7: digest: sha256:[0-9a-f]{64} size: \d+$", lines[^1]);
        Assert.Equal(3, source.Ok(null, "push", name).Split('\n').Count(l => l.EndsWith(": Layer already exists", StringComparison.Ordinal)));

        string pulled = target.Ok(null, "pull", name);
        Assert.Contains($"7: Pulling from {registry.Host}/cli/app", pulled);
        Assert.Equal(2, pulled.Split('\n').Count(l => l.EndsWith(": Pull complete", StringComparison.Ordinal)));
        Assert.Contains($"Status: Downloaded newer image for {name}", pulled);
        Assert.Equal(IdOf(source.Ok(null, "inspect", name)), IdOf(target.Ok(null, "inspect", name)));

        Assert.Contains($"Removing login credentials for {registry.Host}", source.Ok(null, "logout", registry.Host));
        Assert.Contains($"Not logged in to {registry.Host}", source.Ok(null, "logout", registry.Host));
        Assert.Equal(1, target.Run(null, "pull", name).ExitCode);
    }
}
