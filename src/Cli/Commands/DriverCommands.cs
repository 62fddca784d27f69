using System.CommandLine;
using Images.Cli.Formatting;
using Images.Drivers;

namespace Images.Cli.Commands;

/// <summary>driver ls and driver status.</summary>
internal static class DriverCommands
{
    public static Command Driver(CliContext context)
    {
        var command = new Command("driver", "Graph drivers: which work here and what they hold");

        var ls = new Command("ls", "List the graph drivers, whether each is supported here, and why not");
        ls.SetAction(parse =>
        {
            string root = context.RootPath(parse);
            var table = new Table("DRIVER", "SUPPORTED", "DETAILS");
            foreach (var provider in DriverRegistry.All)
            {
                var support = provider.Probe(Path.Combine(root, "drivers", provider.Name));
                table.Add(provider.Name, support.Supported ? "yes" : "no", support.Reason);
            }
            table.Write(context.Out);
            return 0;
        });

        var status = new Command("status", "Show the selected driver's status (backing filesystem, pool use, layers)");
        status.SetAction(parse =>
        {
            var store = context.Store(parse);
            context.Out.WriteLine($"Driver: {store.Driver.Name}");
            foreach (var (key, value) in store.Driver.Status())
                context.Out.WriteLine($" {key}: {value}");
            return 0;
        });

        command.Add(ls);
        command.Add(status);
        return command;
    }
}
