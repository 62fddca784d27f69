using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Images.Cli.Formatting;
using Images.Core.Oci;
using Images.Core.References;

namespace Images.Cli.Commands;

/// <summary>ls, tag, rmi, inspect, history: the image catalog as Docker shows it.</summary>
internal static class ImageCommands
{
    public static Command List(CliContext context)
    {
        var format = new Option<string>("--format") { Description = "table (default) or json (one object per line)", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var all = new Option<bool>("--all", "-a") { Description = "Show all images (default hides none: there are no intermediate images yet)" };
        var command = new Command("ls", "List images") { format, all };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var now = DateTimeOffset.UtcNow;
            var rows = new List<(string Repo, string Tag, string Id, DateTimeOffset? Created, long Size, string FullId)>();
            foreach (var image in store.Images.List().OrderByDescending(i => i.Created ?? i.Added))
            {
                long size = ImageFacts.Size(store, image);
                if (image.Tags.Count == 0)
                    rows.Add(("<none>", "<none>", image.Id.Short, image.Created, size, image.Id.ToString()));
                foreach (var tag in image.Tags)
                    rows.Add((tag.FamiliarName, tag.Tag ?? "<none>", image.Id.Short, image.Created, size, image.Id.ToString()));
            }
            if (parse.GetValue(format) == "json")
            {
                foreach (var r in rows)
                {
                    var o = new JsonObject
                    {
                        ["Repository"] = r.Repo, ["Tag"] = r.Tag, ["ID"] = r.Id, ["Digest"] = r.FullId,
                        ["CreatedAt"] = r.Created?.ToString("yyyy-MM-dd HH:mm:ss zzz"),
                        ["CreatedSince"] = Units.Ago(r.Created, now), ["Size"] = Units.Size(r.Size), ["VirtualSize"] = r.Size,
                    };
                    context.Out.WriteLine(o.ToJsonString(InspectView.Line));
                }
                return 0;
            }
            var table = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            foreach (var r in rows) table.Add(r.Repo, r.Tag, r.Id, Units.Ago(r.Created, now), Units.Size(r.Size));
            table.Write(context.Out);
            return 0;
        });
        return command;
    }

    public static Command Tag(CliContext context)
    {
        var source = new Argument<string>("SOURCE_IMAGE") { Description = "Image name, name:tag, name@digest or id" };
        var target = new Argument<string>("TARGET_IMAGE") { Description = "New name[:tag]" };
        var command = new Command("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE") { source, target };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var image = store.Images.Resolve(parse.GetValue(source)!);
            var reference = Reference.Parse(parse.GetValue(target)!);
            if (reference.Tag is null)
                throw new UsageException($"cannot tag with a digest reference \"{parse.GetValue(target)}\": give name[:tag]");
            store.Images.Tag(image.Id, reference);
            return 0;
        });
        return command;
    }

    public static Command Remove(CliContext context)
    {
        var images = new Argument<string[]>("IMAGE") { Description = "Images to remove", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Remove an image that has several names, or is in use" };
        var command = new Command("rmi", "Remove one or more images") { images, force };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            int failures = 0;
            foreach (var name in parse.GetValue(images)!)
            {
                try
                {
                    foreach (var line in store.Images.Remove(name, parse.GetValue(force)))
                        context.Out.WriteLine(line);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    context.Fail(e);
                    failures++;
                }
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }

    public static Command Inspect(CliContext context)
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Show details of images as JSON, shaped like `docker image inspect`") { images };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var result = new JsonArray();
            foreach (var name in parse.GetValue(images)!)
            {
                var image = store.Images.Resolve(name);
                var (_, config) = store.Images.ReadConfig(image);
                result.Add(InspectView.Build(image, config, ImageFacts.Size(store, image)));
            }
            context.Out.WriteLine(result.ToJsonString(InspectView.Output));
            return 0;
        });
        return command;
    }

    public static Command History(CliContext context)
    {
        var image = new Argument<string>("IMAGE");
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Do not truncate output" };
        var human = new Option<bool>("--human", "-H") { Description = "Print sizes and dates in human readable format", DefaultValueFactory = _ => true };
        var format = new Option<string>("--format") { Description = "table (default) or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("history", "Show the history of an image") { image, noTrunc, human, format };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var img = store.Images.Resolve(parse.GetValue(image)!);
            var (_, config) = store.Images.ReadConfig(img);
            var sizes = ImageFacts.LayerSizes(store, config.RootFs.DiffIds);
            var entries = HistoryView.Entries(config, sizes);
            var now = DateTimeOffset.UtcNow;
            bool trunc = !parse.GetValue(noTrunc);
            if (parse.GetValue(format) == "json")
            {
                for (int i = entries.Count - 1; i >= 0; i--)
                {
                    var e = entries[i];
                    context.Out.WriteLine(new JsonObject
                    {
                        ["ID"] = i == entries.Count - 1 ? img.Id.ToString() : "<missing>",
                        ["CreatedAt"] = InspectView.Rfc3339(e.Created), ["CreatedBy"] = e.CreatedBy,
                        ["Size"] = e.Size, ["Comment"] = e.Comment, ["EmptyLayer"] = e.Empty,
                    }.ToJsonString(InspectView.Line));
                }
                return 0;
            }
            var table = new Table("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
            for (int i = entries.Count - 1; i >= 0; i--)
            {
                var e = entries[i];
                string createdBy = e.CreatedBy.Replace('\n', ' ').Replace('\t', ' ');
                if (trunc && createdBy.Length > 45) createdBy = createdBy[..44] + "…";
                table.Add(
                    i == entries.Count - 1 ? (trunc ? img.Id.Short : img.Id.ToString()) : "<missing>",
                    parse.GetValue(human) ? Units.Ago(e.Created, now) : e.Created?.ToString("o") ?? "",
                    createdBy,
                    parse.GetValue(human) ? Units.Size(e.Size) : e.Size.ToString(),
                    e.Comment);
            }
            table.Write(context.Out);
            return 0;
        });
        return command;
    }
}
