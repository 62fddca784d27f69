using System.CommandLine;
using Images.Cli.Formatting;

namespace Images.Cli.Commands;

/// <summary>prune and check: reclaiming space and verifying the store.</summary>
internal static class MaintenanceCommands
{
    public static Command Prune(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Remove all images without a name, not only dangling ones" };
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation (there is no prompt; accepted for Docker compatibility)" };
        var command = new Command("prune", "Remove dangling images, unused layers and unreferenced blobs") { all, force };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var report = store.Prune(parse.GetValue(all));
            foreach (var image in report.ImagesRemoved) context.Out.WriteLine($"Deleted Images: {image}");
            foreach (var layer in report.LayersRemoved) context.Out.WriteLine($"Deleted Layer: {layer}");
            foreach (var blob in report.BlobsRemoved) context.Out.WriteLine($"Deleted Blob: {blob}");
            context.Out.WriteLine($"Total reclaimed space: {Units.Size(report.BytesFreed)}");
            return 0;
        });
        return command;
    }

    public static Command Check(CliContext context)
    {
        var repair = new Option<bool>("--repair") { Description = "Remove what is broken and unreferenced" };
        var command = new Command("check", "Verify every blob's digest and every reference in the store") { repair };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var report = store.Check(parse.GetValue(repair));
            foreach (var problem in report.Problems) context.Out.WriteLine($"problem: {problem}");
            foreach (var fixedItem in report.Repaired) context.Out.WriteLine($"repaired: {fixedItem}");
            if (!parse.GetValue(repair))
                foreach (var garbage in report.Garbage) context.Out.WriteLine($"garbage: {garbage}");
            if (report.Consistent)
            {
                context.Out.WriteLine("store is consistent");
                return 0;
            }
            bool allRepaired = parse.GetValue(repair) && report.Repaired.Count >= report.Problems.Count;
            if (!parse.GetValue(repair))
                context.Error.WriteLine($"images: {report.Problems.Count} problem(s) found; run 'images check --repair' to remove what is broken");
            return allRepaired ? 0 : 1;
        });
        return command;
    }
}
