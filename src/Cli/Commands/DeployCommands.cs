using System.CommandLine;
using Images.Cli.Formatting;
using Images.Deploy.Client;
using Images.Deploy.Node;
using Images.Deploy.Protocol;
using Images.Registry.Client.Auth;
using Images.Runtime.Containers;

namespace Images.Cli.Commands;

/// <summary>deploy, apps, rollback: slug-style releases on a target running <c>images serve</c>.</summary>
internal static class DeployCommands
{
    private static Option<string> To(bool required) => new("--to")
    {
        Description = "The target: HOST:PORT of its 'images serve'",
        Required = required,
    };

    private static NodeClient Node(string target, bool tlsVerify) => new(target, DockerConfigFile.Default(), tlsVerify);

    public static Command Deploy(CliContext context)
    {
        var image = new Argument<string>("IMAGE") { Description = "The local image to deploy: name[:tag] or id" };
        var to = To(required: true);
        var app = new Option<string>("--app") { Description = "The app's name on the target", Required = true };
        var healthCmd = new Option<string?>("--health-cmd") { Description = "Shell command run in the new container until it exits 0 (default: the process must still run after the timeout)" };
        var healthTimeout = new Option<double>("--health-timeout") { Description = "Seconds the new release has to become healthy", DefaultValueFactory = _ => 10 };
        var env = new Option<string[]>("--env", "-e") { Description = "Set environment variables (K=V)", AllowMultipleArgumentsPerToken = false };
        var network = new Option<string>("--network") { Description = "host (default) or none", DefaultValueFactory = _ => "host" };
        network.AcceptOnlyFromAmong("host", "none");
        var keep = new Option<int>("--keep") { Description = "Old releases kept on the target for rollbacks", DefaultValueFactory = _ => 2 };
        var tlsVerify = RegistryClientCommands.TlsVerify();
        var command = new Command("deploy", "Ship an image's missing layers to a target and switch an app to it once healthy")
            { image, to, app, healthCmd, healthTimeout, env, network, keep, tlsVerify };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.Store(parse);
            string target = parse.GetValue(to)!;
            string name = parse.GetValue(app)!;
            using var registry = RegistryClientCommands.Client(parse.GetValue(tlsVerify), quiet: true, view: null);
            using var node = Node(target, parse.GetValue(tlsVerify));
            var request = new DeployRequest
            {
                Env = parse.GetValue(env) ?? [],
                Network = parse.GetValue(network)!,
                HealthCmd = parse.GetValue(healthCmd),
                HealthTimeoutSeconds = parse.GetValue(healthTimeout),
                Keep = parse.GetValue(keep),
            };
            try
            {
                var outcome = await new DeployClient(registry, node, target)
                    .DeployAsync(store, parse.GetValue(image)!, name, request, context.Out.WriteLine, ct);
                var r = outcome.Release;
                context.Out.WriteLine($"layers and config: {outcome.BlobsOnTarget} already on {target}, {outcome.Push.BlobsSent} sent; {Units.Size(outcome.BytesSent)} ({outcome.BytesSent} bytes) sent");
                context.Out.WriteLine($"release {r.Release} of {r.App} is live in container {r.Container[..Math.Min(12, r.Container.Length)]} ({r.Health})");
                if (r.Previous is { } previous) context.Out.WriteLine($"release {previous} is being stopped; 'images rollback --to {target} --app {name}' brings it back");
                if (r.Pruned.Count > 0) context.Out.WriteLine($"removed old releases {string.Join(", ", r.Pruned)}");
                return 0;
            }
            catch (NodeException e) when (e.Logs is { Length: > 0 })
            {
                context.Error.WriteLine($"the new release's output:\n{e.Logs.TrimEnd()}");
                throw;
            }
        });
        return command;
    }

    public static Command Apps(CliContext context)
    {
        var to = To(required: false);
        to.Description = "The target: HOST:PORT of its 'images serve' (default: the apps of this host's store)";
        var tlsVerify = RegistryClientCommands.TlsVerify();
        var command = new Command("apps", "List the apps on a target with their current and previous release") { to, tlsVerify };
        command.SetAction(async (parse, ct) =>
        {
            IReadOnlyList<AppInfo> apps;
            if (parse.GetValue(to) is { } target)
            {
                using var node = Node(target, parse.GetValue(tlsVerify));
                apps = await node.AppsAsync(ct);
            }
            else
            {
                var store = context.Store(parse);
                apps = new Deployer(store, new RuntimeAppContainers(new ContainerManager(store))).List();
            }
            var table = new Table("APP", "RELEASE", "IMAGE", "CONTAINER", "PREVIOUS", "PREVIOUS IMAGE", "PREVIOUS CONTAINER", "DEPLOYING");
            foreach (var app in apps)
            {
                var deploying = app.Releases.Where(r => r.State == "pending").Select(r => r.Number.ToString()).ToList();
                table.Add(app.Name,
                    app.Current?.Number.ToString() ?? "-", Short(app.Current?.Image), Short(app.Current?.Container),
                    app.Previous?.Number.ToString() ?? "-", Short(app.Previous?.Image), Short(app.Previous?.Container),
                    deploying.Count == 0 ? "-" : string.Join(",", deploying));
            }
            table.Write(context.Out);
            return 0;
        });
        return command;
    }

    public static Command Rollback(CliContext context)
    {
        var to = To(required: true);
        var app = new Option<string>("--app") { Description = "The app to switch back", Required = true };
        var tlsVerify = RegistryClientCommands.TlsVerify();
        var command = new Command("rollback", "Switch an app back to its previous release") { to, app, tlsVerify };
        command.SetAction(async (parse, ct) =>
        {
            using var node = Node(parse.GetValue(to)!, parse.GetValue(tlsVerify));
            var r = await node.RollbackAsync(parse.GetValue(app)!, ct);
            context.Out.WriteLine($"release {r.Release} of {r.App} is live again in container {Short(r.Container)}; release {r.Previous} is being stopped");
            return 0;
        });
        return command;
    }

    /// <summary>Ids as Docker shows them: 12 hex digits, without the algorithm.</summary>
    private static string Short(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "-";
        string hex = id.Contains(':') ? id[(id.IndexOf(':') + 1)..] : id;
        return hex[..Math.Min(12, hex.Length)];
    }
}
