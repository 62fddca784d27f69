using System.CommandLine;
using Images.Core.References;
using Images.Runtime;
using Images.Runtime.Containers;

namespace Images.Cli.Commands;

/// <summary>run, create, start, stop, rm, ps, logs, exec, commit (and diff of a container): Docker's verbs and flags.</summary>
internal static class ContainerCommands
{
    /// <summary>The options run and create share, and how they become a <see cref="RunOptions"/>.</summary>
    private sealed class ProcessOptions
    {
        public readonly Option<string[]> Env = new("--env", "-e") { Description = "Set an environment variable (K=V, or K to take it from here)", AllowMultipleArgumentsPerToken = false };
        public readonly Option<string[]> EnvFile = new("--env-file") { Description = "Read environment variables from a file (K=V lines)" };
        public readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container (created if missing)" };
        public readonly Option<string?> User = new("--user", "-u") { Description = "User name or uid, and optionally group: USER[:GROUP]" };
        public readonly Option<string?> Entrypoint = new("--entrypoint") { Description = "Replace the image's ENTRYPOINT (\"\" clears it)" };
        public readonly Option<string?> Hostname = new("--hostname") { Description = "Container hostname (default: its short id)" };
        public readonly Option<string> Network = new("--network") { Description = "host (default) or none", DefaultValueFactory = _ => "host" };
        public readonly Option<bool> ReadOnly = new("--read-only") { Description = "Mount the container's root filesystem read-only" };
        public readonly Option<string[]> Volume = new("--volume", "-v") { Description = "Bind a host path: HOST:CONTAINER[:ro]" };
        public readonly Option<string?> Name = new("--name") { Description = "Container name" };
        public readonly Option<bool> Rm = new("--rm") { Description = "Remove the container and its layer when its process exits" };
        public readonly Option<string> Runtime = new("--runtime") { Description = "builtin (default) or runc", DefaultValueFactory = _ => ProcessRuntimes.Default };
        public readonly Argument<string> Image = new("IMAGE");
        public readonly Argument<string[]> Cmd = new("CMD") { Arity = ArgumentArity.ZeroOrMore, Description = "Command and arguments (replace the image's CMD)" };

        public ProcessOptions()
        {
            Network.AcceptOnlyFromAmong("host", "none");
            Runtime.AcceptOnlyFromAmong([.. ProcessRuntimes.Names]);
        }

        public void AddTo(Command command)
        {
            foreach (Option o in new Option[] { Env, EnvFile, Workdir, User, Entrypoint, Hostname, Network, ReadOnly, Volume, Name, Rm, Runtime })
                command.Add(o);
            command.Add(Image);
            command.Add(Cmd);
            // Everything after the image is the container's command: see ContainerCommandLine.
        }

        public Container Create(CliContext context, ParseResult parse)
        {
            var env = new List<string>();
            foreach (var file in parse.GetValue(EnvFile) ?? []) env.AddRange(ReadEnvFile(file));
            env.AddRange((parse.GetValue(Env) ?? []).Select(FromHere));
            var run = new RunOptions
            {
                Cmd = parse.GetValue(Cmd) ?? [],
                Entrypoint = parse.GetValue(Entrypoint),
                Env = env,
                WorkingDir = parse.GetValue(Workdir),
                User = parse.GetValue(User),
                Hostname = parse.GetValue(Hostname),
                Network = parse.GetValue(Network) == "none" ? NetworkMode.None : NetworkMode.Host,
                ReadOnlyRootfs = parse.GetValue(ReadOnly),
                Volumes = [.. (parse.GetValue(Volume) ?? []).Select(VolumeMount.Parse)],
            };
            var manager = new ContainerManager(context.Store(parse));
            return manager.Create(parse.GetValue(Image)!, run, new ContainerManager.CreateOptions
            {
                Name = parse.GetValue(Name),
                Runtime = parse.GetValue(Runtime)!,
                AutoRemove = parse.GetValue(Rm),
            });
        }

        /// <summary>"-e K" takes K's value from this process's environment (dropped when unset), as Docker does.</summary>
        private static string FromHere(string entry) =>
            entry.Contains('=') ? entry : Environment.GetEnvironmentVariable(entry) is { } v ? $"{entry}={v}" : entry;

        private static IEnumerable<string> ReadEnvFile(string file)
        {
            if (!File.Exists(file)) throw new UsageException($"--env-file {file}: no such file", 1);
            foreach (var raw in File.ReadLines(file))
            {
                string line = raw.TrimStart();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                yield return FromHere(line);
            }
        }
    }

    public static Command Run(CliContext context)
    {
        var options = new ProcessOptions();
        var detach = new Option<bool>("--detach", "-d") { Description = "Run in the background and print the container id" };
        var command = new Command("run", "Create a container from an image and run its process (stdio passed through; exits with its exit code)") { detach };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var container = options.Create(context, parse);
            var manager = new ContainerManager(context.Store(parse));
            if (parse.GetValue(detach))
            {
                manager.Start(container.Id);
                context.Out.WriteLine(container.Id);
                return 0;
            }
            context.Out.Flush();
            return manager.StartAttached(container.Id);
        });
        return command;
    }

    public static Command Create(CliContext context)
    {
        var options = new ProcessOptions();
        var command = new Command("create", "Create a container from an image without starting it; prints its id");
        options.AddTo(command);
        command.SetAction(parse =>
        {
            context.Out.WriteLine(options.Create(context, parse).Id);
            return 0;
        });
        return command;
    }

    public static Command Start(CliContext context)
    {
        var attach = new Option<bool>("--attach", "-a") { Description = "Attach stdio and exit with the container's exit code" };
        var container = new Argument<string>("CONTAINER");
        var command = new Command("start", "Start a stopped container") { attach, container };
        command.SetAction(parse =>
        {
            var manager = new ContainerManager(context.Store(parse));
            string name = parse.GetValue(container)!;
            if (parse.GetValue(attach)) return manager.StartAttached(name);
            manager.Start(name);
            context.Out.WriteLine(name);
            return 0;
        });
        return command;
    }

    public static Command Stop(CliContext context)
    {
        var time = new Option<int>("--time", "-t") { Description = "Seconds to wait after SIGTERM before SIGKILL", DefaultValueFactory = _ => 10 };
        var containers = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("stop", "Stop running containers (SIGTERM, then SIGKILL after --time)") { time, containers };
        command.SetAction(parse =>
        {
            if (parse.GetValue(time) < 0) throw new UsageException("--time must be 0 or more");
            var manager = new ContainerManager(context.Store(parse));
            foreach (var c in parse.GetValue(containers)!)
            {
                manager.Stop(c, TimeSpan.FromSeconds(parse.GetValue(time)));
                context.Out.WriteLine(c);
            }
            return 0;
        });
        return command;
    }

    public static Command Remove(CliContext context)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Kill a running container first" };
        var containers = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove containers and their layers") { force, containers };
        command.SetAction(parse =>
        {
            var manager = new ContainerManager(context.Store(parse));
            foreach (var c in parse.GetValue(containers)!)
            {
                manager.Remove(c, parse.GetValue(force));
                context.Out.WriteLine(c);
            }
            return 0;
        });
        return command;
    }

    public static Command List(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all containers (default: running ones)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only ids" };
        var command = new Command("ps", "List containers") { all, quiet };
        command.SetAction(parse =>
        {
            var list = new ContainerManager(context.Store(parse)).List(parse.GetValue(all));
            if (parse.GetValue(quiet))
            {
                foreach (var c in list) context.Out.WriteLine(c.Spec.ShortId);
                return 0;
            }
            context.Out.WriteLine($"{"CONTAINER ID",-14}{"IMAGE",-24}{"COMMAND",-28}{"STATUS",-14}NAMES");
            foreach (var c in list)
            {
                string cmd = string.Join(' ', c.Spec.Process.Args);
                if (cmd.Length > 25) cmd = cmd[..24] + "…";
                context.Out.WriteLine($"{c.Spec.ShortId,-14}{Clip(c.Spec.Image, 22),-24}{"\"" + cmd + "\"",-28}{c.Describe(),-14}{c.Name}");
            }
            return 0;
        });
        return command;
    }

    public static Command Logs(CliContext context)
    {
        var container = new Argument<string>("CONTAINER");
        var command = new Command("logs", "Print a detached container's output (stdout and stderr)") { container };
        command.SetAction(parse =>
        {
            string path = new ContainerManager(context.Store(parse)).LogPath(parse.GetValue(container)!);
            if (!File.Exists(path)) return 0;
            context.Out.Flush();
            using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var stdout = Console.OpenStandardOutput();
            log.CopyTo(stdout);
            return 0;
        });
        return command;
    }

    public static Command Exec(CliContext context)
    {
        var env = new Option<string[]>("--env", "-e") { Description = "Set an environment variable (K=V)" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the container" };
        var user = new Option<string?>("--user", "-u") { Description = "USER[:GROUP] (default: the container's)" };
        var container = new Argument<string>("CONTAINER");
        var cmd = new Argument<string[]>("CMD") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command in a running container; exits with its exit code") { env, workdir, user, container, cmd };
        command.SetAction(parse =>
        {
            var manager = new ContainerManager(context.Store(parse));
            context.Out.Flush();
            return manager.Exec(parse.GetValue(container)!, new ExecOptions
            {
                Cmd = parse.GetValue(cmd)!,
                Env = parse.GetValue(env) ?? [],
                WorkingDir = parse.GetValue(workdir),
                User = parse.GetValue(user),
            }, ProcessIo.Inherit);
        });
        return command;
    }

    public static Command Commit(CliContext context)
    {
        var container = new Argument<string>("CONTAINER");
        var reference = new Argument<string?>("REPOSITORY[:TAG]") { Arity = ArgumentArity.ZeroOrOne };
        var message = new Option<string?>("--message", "-m") { Description = "Commit message (in the image's history)" };
        var command = new Command("commit", "Make an image from a stopped container's changes") { container, reference, message };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            Reference? tag = parse.GetValue(reference) is { } r ? Reference.Parse(r) : null;
            var image = ContainerCommit.Commit(store, new ContainerManager(store), parse.GetValue(container)!, tag, parse.GetValue(message));
            context.Out.WriteLine(image.Id);
            return 0;
        });
        return command;
    }

    /// <summary>`images diff CONTAINER`: the container's A/C/D lines.</summary>
    public static int PrintDiff(CliContext context, ParseResult parse, string container)
    {
        foreach (var change in new ContainerManager(context.Store(parse)).Diff(container))
            context.Out.WriteLine(change.ToString());
        return 0;
    }

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
