return Images.Cli.Program.Run(args);

namespace Images.Cli
{
    internal static partial class Program
    {
        public static int Run(string[] args)
        {
            Console.Error.WriteLine("images: the command line is being built (issue 2)");
            return 1;
        }
    }
}
