using System.CommandLine;
using Images.Cli;
using Images.Cli.Commands;

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

            try
            {
                return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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
            InspectionCommands.Diff,
            InspectionCommands.Layers,
            TransferCommands.Load,
            TransferCommands.Save,
            TransferCommands.Export,
            MountCommands.Mount,
            MountCommands.Unmount,
            MaintenanceCommands.Prune,
            MaintenanceCommands.Check,
            DriverCommands.Driver,
            RegistryServerCommands.Serve,
            RegistryServerCommands.Gc,
            RegistryClientCommands.Push,
            RegistryClientCommands.Pull,
            RegistryClientCommands.Login,
            RegistryClientCommands.Logout,
        ];
    }
}
