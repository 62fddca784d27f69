using System.CommandLine;
using Images.Cli.Formatting;
using Images.Inspect;
using Images.Inspect.Sources;

namespace Images.Cli.Commands;

/// <summary>diff, layers: what a build did, read from layer tar headers (images in the store, oci:PATH[:TAG], docker-archive:PATH).</summary>
internal static class InspectionCommands
{
    private const string SourceHelp = "An image of the store, oci:PATH[:TAG] (OCI layout) or docker-archive:PATH (tar)";

    public static Command Diff(CliContext context)
    {
        var first = new Argument<string>("IMAGE_A") { Description = SourceHelp };
        var second = new Argument<string?>("IMAGE_B") { Description = SourceHelp, Arity = ArgumentArity.ZeroOrOne };
        var format = new Option<string>("--format") { Description = "text (A/C/D lines, default) or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("diff", "Show what a container changed in its image (one argument: a container), or what differs between two images' root filesystems (A added, C changed, D deleted in IMAGE_B)")
        {
            first, second, format,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(second) is not { } b)
                return ContainerCommands.PrintDiff(context, parse, parse.GetValue(first)!);
            using var before = ImageSources.Open(parse.GetValue(first)!, () => context.Store(parse));
            using var after = ImageSources.Open(b, () => context.Store(parse));
            var entries = ImageDiff.Compare(before, after);
            if (parse.GetValue(format) == "json")
            {
                context.Out.Flush();
                using var stdout = Console.OpenStandardOutput();
                DiffView.WriteJson(stdout, entries);
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                DiffView.WriteText(context.Out, entries);
            }
            return 0;
        });
        return command;
    }

    public static Command Layers(CliContext context)
    {
        var image = new Argument<string>("IMAGE") { Description = SourceHelp };
        var depth = new Option<int?>("--depth") { Description = "Fold each layer's change tree below this depth (1 = top-level entries)" };
        var onlyChanges = new Option<bool>("--only-changes") { Description = "Hide entries a layer lists unchanged" };
        var top = new Option<int>("--top") { Description = "How many of the most wasteful paths to list", DefaultValueFactory = _ => 10 };
        var format = new Option<string>("--format") { Description = "text (default) or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var ci = new Option<bool>("--ci") { Description = "Check the thresholds and exit 1 when one is crossed (prints only the summary)" };
        var lowestEfficiency = new Option<string?>("--lowest-efficiency") { Description = "CI: lowest efficiency allowed, e.g. 0.9 or 90% (default with --ci: 0.9)" };
        var highestWasted = new Option<string?>("--highest-wasted-bytes") { Description = "CI: most wasted bytes allowed, e.g. 20MB (default with --ci: not checked)" };
        var highestUserWasted = new Option<string?>("--highest-user-wasted-percent") { Description = "CI: highest wasted/user-size ratio allowed, e.g. 0.1 or 10% (default with --ci: 0.1)" };
        var command = new Command("layers", "Show each layer's instruction, size and change tree, and the image's wasted space and efficiency (like dive)")
        {
            image, depth, onlyChanges, top, format, ci, lowestEfficiency, highestWasted, highestUserWasted,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(depth) is < 1) throw new UsageException("--depth must be 1 or more");
            if (parse.GetValue(top) < 0) throw new UsageException("--top must be 0 or more");
            bool checking = parse.GetValue(ci);
            CiThresholds? thresholds = null;
            if (checking)
            {
                thresholds = new CiThresholds(
                    CiThresholds.ParseRatio(parse.GetValue(lowestEfficiency) ?? "0.9", "--lowest-efficiency"),
                    parse.GetValue(highestWasted) is { } bytes ? CiThresholds.ParseBytes(bytes, "--highest-wasted-bytes") : null,
                    CiThresholds.ParseRatio(parse.GetValue(highestUserWasted) ?? "0.1", "--highest-user-wasted-percent"));
            }
            else if (parse.GetValue(lowestEfficiency) is not null || parse.GetValue(highestWasted) is not null || parse.GetValue(highestUserWasted) is not null)
            {
                throw new UsageException("the thresholds apply to a CI check: add --ci");
            }

            using var source = ImageSources.Open(parse.GetValue(image)!, () => context.Store(parse));
            var report = ImageAnalyzer.Analyze(source, parse.GetValue(top));
            var failures = thresholds?.Failures(report.Efficiency);
            var options = new LayersViewOptions
            {
                Depth = parse.GetValue(depth),
                OnlyChanges = parse.GetValue(onlyChanges),
                SummaryOnly = checking,
                Size = Units.Size,
            };
            if (parse.GetValue(format) == "json")
            {
                context.Out.Flush();
                using var stdout = Console.OpenStandardOutput();
                LayersView.WriteJson(stdout, report, options, failures);
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                LayersView.WriteText(context.Out, report, options);
                if (failures is not null) context.Out.WriteLine(failures.Count == 0 ? "CI: PASS" : "CI: FAIL");
            }
            if (failures is { Count: > 0 })
            {
                foreach (var failure in failures) context.Error.WriteLine($"images: layers: CI check failed: {failure}");
                return 1;
            }
            return 0;
        });
        return command;
    }
}
