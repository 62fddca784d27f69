using System.CommandLine;

namespace Images.Cli.Commands;

/// <summary>mount and umount: an image's root filesystem, read-only, at a path the driver chooses.</summary>
internal static class MountCommands
{
    /// <summary>The holder name of mounts made from the command line, so `umount` releases exactly those.</summary>
    private const string Holder = "cli-mount";

    public static Command Mount(CliContext context)
    {
        var image = new Argument<string>("IMAGE");
        var command = new Command("mount", "Mount an image's root filesystem and print its path") { image };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var img = store.Images.Resolve(parse.GetValue(image)!);
            if (img.TopLayer is not { } top)
                throw new UsageException($"image {img.Id.Short} has no layers: there is nothing to mount", 1);
            context.Out.WriteLine(store.Layers.Mount(top, Holder));
            return 0;
        });
        return command;
    }

    public static Command Unmount(CliContext context)
    {
        var image = new Argument<string>("IMAGE");
        var command = new Command("umount", "Unmount an image's root filesystem mounted with `images mount`") { image };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var img = store.Images.Resolve(parse.GetValue(image)!);
            if (img.TopLayer is not { } top || !store.Layers.Mounts().Any(m => m.ChainId == top && m.Holder == Holder))
                throw new UsageException($"image {parse.GetValue(image)} is not mounted (mount it with 'images mount')", 1);
            store.Layers.Unmount(top, Holder);
            return 0;
        });
        return command;
    }
}
