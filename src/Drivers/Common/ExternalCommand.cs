using System.Diagnostics;

namespace Images.Drivers.Common;

/// <summary>
/// Runs the system tools drivers lean on where the kernel offers no simpler interface (mkfs.*, resize2fs, btrfs
/// qgroups, dmsetup). Arguments go as a list (no shell), output is captured, and a failure becomes a
/// <see cref="DriverException"/> naming the command, its exit code and its stderr.
/// </summary>
public static class ExternalCommand
{
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The full path of <paramref name="program"/> on PATH or in the usual system directories, or null.</summary>
    public static string? Find(string program)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (program.Contains('/')) return File.Exists(program) ? program : null;
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (string directory in path.Concat(SystemDirectories))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Runs <paramref name="program"/> and returns its stdout.</summary>
    /// <param name="purpose">What the run is for, e.g. "make the base device's filesystem", to start the error message.</param>
    /// <exception cref="DriverException">the program is missing or exits non-zero.</exception>
    public static string Run(string purpose, string program, params string[] arguments)
    {
        var result = TryRun(program, arguments);
        if (result.ExitCode != 0)
            throw new DriverException(
                $"cannot {purpose}: `{Describe(program, arguments)}` exited with {result.ExitCode}: {result.Error.Trim()}");
        return result.Output;
    }

    /// <summary>Runs <paramref name="program"/> and returns exit code and output, failing only when it cannot start.</summary>
    /// <exception cref="DriverException">the program is not installed.</exception>
    public static (int ExitCode, string Output, string Error) TryRun(string program, params string[] arguments)
    {
        string executable = Find(program)
            ?? throw new DriverException($"`{program}` is not installed (not found on PATH or in /usr/sbin, /sbin): install the package that provides it");
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["LC_ALL"] = "C"; // messages we may parse or show stay in one language
        using var process = Process.Start(info)
            ?? throw new DriverException($"cannot start `{Describe(program, arguments)}`");
        process.StandardInput.Close();
        // Read both pipes concurrently so neither can fill up and stall the tool.
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }

    private static string Describe(string program, string[] arguments) =>
        arguments.Length == 0 ? program : $"{program} {string.Join(' ', arguments)}";
}
