using Images.Runtime.Builtin;

namespace Images.Runtime.Helpers;

/// <summary>Entry point of the helper processes (see <see cref="HelperLauncher"/>): one mode per argument.</summary>
internal static class HelperProgram
{
    public static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "";
        try
        {
            return mode switch
            {
                ContainerInit.Mode => ContainerInit.Run(),
                Containers.ContainerMonitor.Mode => Containers.ContainerMonitor.Run(args),
                Containers.ContainerExec.Mode => Containers.ContainerExec.Run(),
                _ => Usage(mode),
            };
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"images-runtime {mode}: {e.Message}");
            return ContainerInit.SetupFailed;
        }
    }

    private static int Usage(string mode)
    {
        Console.Error.WriteLine($"images-runtime: unknown mode '{mode}' (this program is started by the images runtime, not by hand)");
        return 2;
    }
}
