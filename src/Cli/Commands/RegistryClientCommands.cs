using System.CommandLine;
using System.Text;
using Images.Cli.Formatting;
using Images.Core.References;
using Images.Registry.Client;
using Images.Registry.Client.Auth;
using OciPlatform = Images.Core.Oci.Platform;

namespace Images.Cli.Commands;

/// <summary>push, pull, login, logout: images to and from registries, credentials in docker's config.json.</summary>
internal static class RegistryClientCommands
{
    internal static Option<bool> TlsVerify() => new("--tls-verify")
    {
        Description = "Verify the registry's TLS certificate (default true; false also allows plain http). Loopback registries always use http",
        DefaultValueFactory = _ => true,
    };

    internal static RegistryClient Client(bool tlsVerify, bool quiet, TransferProgressView? view, OciPlatform? platform = null) =>
        new(new RegistryClientOptions
        {
            TlsVerify = tlsVerify,
            Credentials = DockerConfigFile.Default(),
            Progress = quiet ? null : view,
            Platform = platform,
        });

    private static TransferProgressView View(CliContext context) => new(context.Out, !Console.IsOutputRedirected);

    public static Command Push(CliContext context)
    {
        var image = new Argument<string>("IMAGE") { Description = "The local image: name[:tag] (its registry is the name's host), or an id with DESTINATION" };
        var destination = new Argument<string?>("DESTINATION") { Description = "Where to push, when not IMAGE's own name: registry/name[:tag]", Arity = ArgumentArity.ZeroOrOne };
        var tlsVerify = TlsVerify();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the manifest digest" };
        var command = new Command("push", "Push an image to a registry") { image, destination, tlsVerify, quiet };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.Store(parse);
            string local = parse.GetValue(image)!;
            var target = Reference.Parse(parse.GetValue(destination) ?? local);
            bool silent = parse.GetValue(quiet);
            var view = View(context);
            using var client = Client(parse.GetValue(tlsVerify), silent, view);
            if (!silent) context.Out.WriteLine($"The push refers to repository [{target.Name}]");
            var result = await client.PushAsync(store, local, target, ct);
            view.Complete();
            if (silent) context.Out.WriteLine(result.ManifestDigest);
            else context.Out.WriteLine($"{target.Tag ?? "digest"}: digest: {result.ManifestDigest} size: {result.ManifestSize}");
            return 0;
        });
        return command;
    }

    public static Command Pull(CliContext context)
    {
        var image = new Argument<string>("NAME") { Description = "registry/name[:tag|@digest]" };
        var tlsVerify = TlsVerify();
        var platform = new Option<string?>("--platform") { Description = "os/arch[/variant] to pick from an index (default: this machine's)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the image name" };
        var command = new Command("pull", "Pull an image from a registry") { image, tlsVerify, platform, quiet };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.Store(parse);
            var source = Reference.Parse(parse.GetValue(image)!);
            bool silent = parse.GetValue(quiet);
            var view = View(context);
            using var client = Client(parse.GetValue(tlsVerify), silent, view, ParsePlatform(parse.GetValue(platform)));
            if (!silent) context.Out.WriteLine($"{source.Tag ?? source.Digest!.Value.ToString()}: Pulling from {source.FamiliarName}");
            var result = await client.PullAsync(store, source, ct);
            view.Complete();
            string name = source.ToFamiliarString();
            if (!silent)
            {
                context.Out.WriteLine($"Digest: {result.ManifestDigest}");
                context.Out.WriteLine(result.BlobsFetched > 0
                    ? $"Status: Downloaded newer image for {name}"
                    : $"Status: Image is up to date for {name}");
            }
            context.Out.WriteLine(name);
            return 0;
        });
        return command;
    }

    private static OciPlatform? ParsePlatform(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
            throw new UsageException($"invalid --platform \"{text}\": give os/arch or os/arch/variant (e.g. linux/arm64)");
        return new OciPlatform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null };
    }

    public static Command Login(CliContext context)
    {
        var server = new Argument<string>("SERVER") { Description = "Registry host[:port]" };
        var username = new Option<string?>("--username", "-u") { Description = "User name" };
        var password = new Option<string?>("--password", "-p") { Description = "Password (prefer --password-stdin: arguments are visible to other users)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from stdin" };
        var tlsVerify = TlsVerify();
        var command = new Command("login", "Log in to a registry (credentials kept in docker's config.json: $DOCKER_CONFIG or ~/.docker)")
            { server, username, password, passwordStdin, tlsVerify };
        command.SetAction(async (parse, ct) =>
        {
            string registry = RegistryHost(parse.GetValue(server)!);
            if (parse.GetValue(password) is not null && parse.GetValue(passwordStdin))
                throw new UsageException("--password and --password-stdin are mutually exclusive");
            string? user = parse.GetValue(username);
            if (string.IsNullOrEmpty(user))
            {
                if (Console.IsInputRedirected || parse.GetValue(passwordStdin))
                    throw new UsageException("give the user name with --username (it cannot be asked for when stdin is not a terminal)");
                context.Out.Write("Username: ");
                user = Console.ReadLine()?.Trim();
                if (string.IsNullOrEmpty(user)) throw new UsageException("a user name is required");
            }
            string? secret = parse.GetValue(password);
            if (parse.GetValue(passwordStdin))
                secret = Console.In.ReadToEnd().TrimEnd('\n', '\r');
            else if (secret is null)
            {
                if (Console.IsInputRedirected) throw new UsageException("give the password with --password-stdin");
                context.Out.Write("Password: ");
                secret = ReadHidden();
                context.Out.WriteLine();
            }
            if (string.IsNullOrEmpty(secret)) throw new UsageException("a password is required");
            if (parse.GetValue(password) is not null)
                context.Error.WriteLine("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");

            var credential = new RegistryCredential(user, secret);
            using (var client = new RegistryClient(new RegistryClientOptions { TlsVerify = parse.GetValue(tlsVerify) }))
                await client.LoginAsync(registry, credential, ct);
            var file = DockerConfigFile.Default();
            file.Store(registry, credential);
            context.Out.WriteLine($"Login Succeeded (credentials stored in {file.Path})");
            return 0;
        });
        return command;
    }

    public static Command Logout(CliContext context)
    {
        var server = new Argument<string>("SERVER") { Description = "Registry host[:port]" };
        var command = new Command("logout", "Log out from a registry (removes its credentials from docker's config.json)") { server };
        command.SetAction(parse =>
        {
            string registry = RegistryHost(parse.GetValue(server)!);
            var file = DockerConfigFile.Default();
            context.Out.WriteLine(file.Remove(registry)
                ? $"Removing login credentials for {registry}"
                : $"Not logged in to {registry}");
            return 0;
        });
        return command;
    }

    /// <summary>Accepts <c>host[:port]</c> or a URL (<c>https://host/v1/</c>, as docker users type): the host part.</summary>
    private static string RegistryHost(string text)
    {
        string host = text.Trim();
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        int slash = host.IndexOf('/');
        if (slash >= 0) host = host[..slash];
        if (host.Length == 0) throw new UsageException($"invalid registry \"{text}\": give host[:port]");
        return host is "index.docker.io" or "registry-1.docker.io" ? Reference.DefaultDomain : host;
    }

    private static string ReadHidden()
    {
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) return text.ToString();
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; }
            else text.Append(key.KeyChar);
        }
    }
}
