using System.Diagnostics;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>
/// What a driver can leave behind under its home: mounts, loop devices backed by files there, fuse-overlayfs
/// processes naming it. Every driver test class checks these after each test.
/// </summary>
public static class Leaks
{
    /// <summary>Mount points at or below <paramref name="home"/>, from /proc/self/mountinfo.</summary>
    public static IReadOnlyList<string> MountsUnder(string home)
    {
        string prefix = Path.GetFullPath(home).TrimEnd('/');
        return Mounts.MountPoints().Where(m => m == prefix || m.StartsWith(prefix + "/", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Lines of <c>losetup -a</c> that name a path below <paramref name="home"/>.</summary>
    public static IReadOnlyList<string> LoopDevicesUnder(string home)
    {
        var start = new ProcessStartInfo("losetup", "-a") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start losetup");
        string output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"losetup -a failed with exit code {process.ExitCode}");
        string prefix = Path.GetFullPath(home).TrimEnd('/') + "/";
        return output.Split('\n').Where(l => l.Contains(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Command lines of fuse-overlayfs processes that name a path below <paramref name="home"/>.</summary>
    public static IReadOnlyList<string> FuseProcessesUnder(string home)
    {
        string prefix = Path.GetFullPath(home).TrimEnd('/');
        var found = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (cmdline.Contains("fuse-overlayfs", StringComparison.Ordinal) && cmdline.Contains(prefix, StringComparison.Ordinal))
                found.Add($"pid {Path.GetFileName(dir)}: {cmdline.Trim()}");
        }
        return found;
    }

    /// <summary>Everything left behind under <paramref name="home"/>, one line each; empty when clean.</summary>
    public static IReadOnlyList<string> Under(string home) =>
    [
        .. MountsUnder(home).Select(m => "mounted: " + m),
        .. LoopDevicesUnder(home).Select(l => "loop device: " + l),
        .. FuseProcessesUnder(home).Select(p => "fuse process: " + p),
    ];

    /// <summary>Fails naming every leftover under <paramref name="home"/>.</summary>
    public static void AssertNoneUnder(string home)
    {
        var leaks = Under(home);
        if (leaks.Count > 0) Assert.Fail($"left behind under {home}:\n" + string.Join('\n', leaks));
    }
}
