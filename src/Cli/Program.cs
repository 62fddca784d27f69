using System.CommandLine;
using Images.Cli;

return CommandLineApp.Run(args);

namespace Images.Cli
{
    /// <summary>Builds the command tree and maps failures to messages and exit codes.</summary>
    internal static class CommandLineApp
    {
        public static int Run(string[] args)
        {
            var context = new CliContext();
            var root = new RootCommand("images: build, store, ship and run container images");
            context.AddGlobalOptions(root);
            foreach (var command in Commands())
                root.Add(command(context));

            var parse = root.Parse(args);
            try
            {
                return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            }
            catch (Exception e)
            {
                return context.Fail(e);
            }
            finally
            {
                context.Dispose();
            }
        }

        private static IEnumerable<Func<CliContext, Command>> Commands() =>
        [
            ImageCommands.List,
            ImageCommands.Tag,
            ImageCommands.Remove,
            ImageCommands.Inspect,
            ImageCommands.History,
            TransferCommands.Load,
            TransferCommands.Save,
            TransferCommands.Export,
            MountCommands.Mount,
            MountCommands.Unmount,
            MaintenanceCommands.Prune,
            MaintenanceCommands.Check,
            DriverCommands.Driver,
        ];
    }
}
