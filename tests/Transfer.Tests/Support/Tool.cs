using Images.Drivers.Common;

namespace Images.Transfer.Tests.Support;

/// <summary>Runs the peer tools the tests compare with (umoci, skopeo, GNU tar); a missing tool or a failure fails the test.</summary>
public static class Tool
{
    public static string Run(string file, params string[] arguments) =>
        ExternalCommand.Run($"run {file} (the transfer tests need umoci, skopeo and GNU tar)", file, arguments);

    public static void RequireRoot()
    {
        if (!Images.Platform.Files.IsRoot)
            Assert.Fail("the transfer tests run as root: layers carry owners, setuid bits and fifos, and umoci unpack needs root to restore them");
    }
}
