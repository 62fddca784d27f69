using System.CommandLine;
using System.Globalization;
using Images.Builder.Engine;

namespace Images.Cli.Commands;

/// <summary><c>images build</c>: a recipe (Dockerfile) and a context directory into an image; <c>images builder prune</c>.</summary>
internal static class BuildCommand
{
    public static Command Build(CliContext context)
    {
        var contextDir = new Argument<string>("CONTEXT") { Description = "The build context directory" };
        var file = new Option<string?>("--file", "-f") { Description = "The recipe (default: CONTEXT/Dockerfile; - reads it from stdin)" };
        var tags = new Option<string[]>("--tag", "-t") { Description = "Name the image NAME:TAG (repeatable)", AllowMultipleArgumentsPerToken = false };
        var buildArgs = new Option<string[]>("--build-arg") { Description = "Set a build argument K=V (repeatable; K alone takes it from the environment)" };
        var target = new Option<string?>("--target") { Description = "Build up to this stage" };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not use the build cache" };
        var labels = new Option<string[]>("--label") { Description = "Add a label K=V to the image (repeatable)" };
        var progress = new Option<string>("--progress") { Description = "auto, plain or tty (all print Docker's classic step lines)", DefaultValueFactory = _ => "auto" };
        var iidFile = new Option<string?>("--iidfile") { Description = "Write the image id to this file" };
        var epoch = new Option<long?>("--source-date-epoch") { Description = "Clamp timestamps to this Unix time for a reproducible image (default: $SOURCE_DATE_EPOCH)" };
        var command = new Command("build", "Build an image from a recipe (Dockerfile) and a context directory")
        {
            contextDir, file, tags, buildArgs, target, noCache, labels, progress, iidFile, epoch,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(progress) is not ("auto" or "plain" or "tty") and var p)
                throw new UsageException($"--progress {p}: expected auto, plain or tty");
            string dir = parse.GetValue(contextDir)!;
            if (!Directory.Exists(dir)) throw new UsageException($"build context \"{dir}\" is not a directory");
            string? recipeFile = parse.GetValue(file);
            string recipeText, recipeName;
            if (recipeFile == "-")
            {
                recipeText = Console.In.ReadToEnd();
                recipeName = "Dockerfile";
            }
            else
            {
                string path = recipeFile ?? Path.Combine(dir, "Dockerfile");
                if (!File.Exists(path)) throw new UsageException($"recipe \"{path}\" not found: pass -f RECIPE or put a Dockerfile in the context");
                recipeText = File.ReadAllText(path);
                recipeName = Path.GetRelativePath(Path.GetFullPath(dir), Path.GetFullPath(path));
            }
            DateTimeOffset? sourceDate = parse.GetValue(epoch) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), NumberStyles.None, CultureInfo.InvariantCulture, out long env)
                    ? DateTimeOffset.FromUnixTimeSeconds(env) : null;
            var options = new BuildOptions
            {
                ContextDirectory = dir,
                RecipeText = recipeText,
                RecipeName = recipeName,
                Tags = parse.GetValue(tags) ?? [],
                BuildArgs = Pairs(parse.GetValue(buildArgs), "--build-arg", fromEnvironment: true),
                Labels = Pairs(parse.GetValue(labels), "--label", fromEnvironment: false),
                Target = parse.GetValue(target),
                NoCache = parse.GetValue(noCache),
                SourceDateEpoch = sourceDate,
            };
            var store = context.Store(parse);
            var log = new BuildLog(context.Out);
            try
            {
                var result = new ImageBuilder(store, log).Build(options);
                if (parse.GetValue(iidFile) is { } iid) File.WriteAllText(iid, result.ImageId.ToString());
                return 0;
            }
            catch (BuildException e) when (e.ExitCode is { } code and > 0)
            {
                context.Error.WriteLine($"images: {e.Message}");
                return code;
            }
        });
        return command;
    }

    /// <summary><c>images builder prune</c>: empties the build cache and frees the layers only it kept.</summary>
    public static Command Builder(CliContext context)
    {
        var prune = new Command("prune", "Remove the build cache and the layers only it kept");
        prune.SetAction(parse =>
        {
            var report = context.Store(parse).BuildCache.Prune();
            context.Out.WriteLine($"Deleted {report.EntriesRemoved} build cache entries and {report.LayersRemoved.Count} layers");
            return 0;
        });
        return new Command("builder", "Manage the build cache") { prune };
    }

    private static Dictionary<string, string> Pairs(string[]? values, string option, bool fromEnvironment)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string value in values ?? [])
        {
            int eq = value.IndexOf('=');
            if (eq == 0) throw new UsageException($"{option} {value}: expected K=V");
            if (eq < 0)
            {
                if (!fromEnvironment) pairs[value] = "";
                else if (Environment.GetEnvironmentVariable(value) is { } v) pairs[value] = v;
                continue;
            }
            pairs[value[..eq]] = value[(eq + 1)..];
        }
        return pairs;
    }
}
