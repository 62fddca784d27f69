using System.CommandLine;
using Images.Store.Transfer;

namespace Images.Cli.Commands;

/// <summary>load, save, export: images in and out of the store as OCI layouts, docker-archives and rootfs tars.</summary>
internal static class TransferCommands
{
    public static Command Load(CliContext context)
    {
        var input = new Option<string?>("--input", "-i") { Description = "OCI layout directory or tar, or docker-archive tar (default: a tar on stdin)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress the load output" };
        var command = new Command("load", "Load images from an OCI layout or a docker-archive") { input, quiet };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            string? path = parse.GetValue(input);
            string? spooled = null;
            if (path is null or "-")
            {
                if (!Console.IsInputRedirected)
                    throw new UsageException("no input: give -i PATH, or pipe a tar into 'images load'");
                spooled = path = Path.Combine(Path.GetTempPath(), $"images-load-{Guid.NewGuid():N}.tar");
                using (var file = File.Create(spooled)) Console.OpenStandardInput().CopyTo(file);
            }
            try
            {
                foreach (var loaded in ImageImporter.Load(store, path))
                {
                    if (parse.GetValue(quiet)) continue;
                    foreach (var message in loaded.Messages()) context.Out.WriteLine(message);
                }
            }
            finally
            {
                if (spooled is not null) File.Delete(spooled);
            }
            return 0;
        });
        return command;
    }

    public static Command Save(CliContext context)
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "An OCI layout directory, or a tar file when the path ends in .tar", Required = true };
        var format = new Option<string>("--format") { Description = "oci (default) or docker (docker-archive, tar only)", DefaultValueFactory = _ => "oci" };
        format.AcceptOnlyFromAmong("oci", "docker");
        var command = new Command("save", "Save images to an OCI layout or a docker-archive") { images, output, format };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var saveFormat = parse.GetValue(format) == "docker" ? SaveFormat.Docker : SaveFormat.Oci;
            ImageExporter.Save(store, parse.GetValue(images)!, parse.GetValue(output)!, saveFormat);
            return 0;
        });
        return command;
    }

    public static Command Export(CliContext context)
    {
        var image = new Argument<string>("IMAGE");
        var output = new Option<string>("--output", "-o") { Description = "The tar file to write (- for stdout)", Required = true };
        var command = new Command("export", "Export an image's flattened root filesystem as a tar") { image, output };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            string path = parse.GetValue(output)!;
            if (path == "-")
            {
                using var stdout = Console.OpenStandardOutput();
                ImageExporter.ExportRootfs(store, parse.GetValue(image)!, stdout);
                return 0;
            }
            string temp = path + $".tmp-{Environment.ProcessId}";
            try
            {
                using (var file = File.Create(temp)) ImageExporter.ExportRootfs(store, parse.GetValue(image)!, file);
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
            return 0;
        });
        return command;
    }
}
