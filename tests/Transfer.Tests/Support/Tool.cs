using System.Diagnostics;

namespace Images.Transfer.Tests.Support;

/// <summary>Runs the peer tools the tests compare with (umoci, skopeo, GNU tar); a missing tool or a failure fails the test.</summary>
public static class Tool
{
    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is not installed ({e.Message}); the transfer tests need umoci, skopeo and GNU tar (apt-get install umoci skopeo tar attr)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}{stdout}");
            return stdout;
        }
    }

    public static void RequireRoot()
    {
        if (!Images.Platform.Files.IsRoot)
            Assert.Fail("the transfer tests run as root: layers carry owners, setuid bits and fifos, and umoci unpack needs root to restore them");
    }
}
