using System.CommandLine;
using Images.Cli;
using Images.Cli.Commands;

return CommandLineApp.Run(ContainerCommandLine.SeparateCommand(args));

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
            RegistryClientCommands.Push,
            RegistryClientCommands.Pull,
            RegistryClientCommands.Login,
            RegistryClientCommands.Logout,
            RegistryServerCommands.Serve,
            RegistryServerCommands.Gc,
            DeployCommands.Deploy,
            DeployCommands.Apps,
            DeployCommands.Rollback,
            BuildCommand.Build,
            BuildCommand.Builder,
            ContainerCommands.Run,
            ContainerCommands.Create,
            ContainerCommands.Start,
            ContainerCommands.Stop,
            ContainerCommands.Remove,
            ContainerCommands.List,
            ContainerCommands.Logs,
            ContainerCommands.Exec,
            ContainerCommands.Commit,
        ];
    }
}
