using System.Diagnostics;
using System.Text;

namespace Images.Drivers.Common;

/// <summary>
/// A FUSE filesystem served by a daemon this process started in the foreground, so its process id is known: the
/// mount is ready once it shows in the mount table, and <see cref="Unmount"/> waits for the daemon to exit, leaving
/// no process behind.
/// </summary>
public sealed class FuseMount
{
    private const int StderrLimit = 16 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private FuseMount(string mountPoint, Process process, StringBuilder stderr)
    {
        MountPoint = mountPoint;
        _process = process;
        _stderr = stderr;
    }

    public string MountPoint { get; }

    /// <summary>The daemon's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether <paramref name="program"/> is an executable on PATH (or an absolute path) and /dev/fuse exists; else why not.</summary>
    public static bool IsAvailable(string program, out string reason)
    {
        if (FindProgram(program) is null)
        {
            reason = $"{program} is not installed (apt-get install {program})";
            return false;
        }
        if (!File.Exists("/dev/fuse"))
        {
            reason = "/dev/fuse is missing (load the fuse module: modprobe fuse)";
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>The full path of <paramref name="program"/> found on PATH, or null.</summary>
    public static string? FindProgram(string program)
    {
        if (program.Contains('/')) return File.Exists(program) ? program : null;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':'))
        {
            if (dir.Length == 0) continue;
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & UnixFileMode.UserExecute) != 0) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> (which must keep it in the foreground, e.g.
    /// <c>-f</c>) and returns once <paramref name="mountPoint"/> is mounted.
    /// </summary>
    /// <exception cref="DriverException">the daemon exited or did not mount within <paramref name="timeout"/>; names its stderr.</exception>
    public static FuseMount Start(string program, IEnumerable<string> arguments, string mountPoint, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        mountPoint = Path.GetFullPath(mountPoint).TrimEnd('/');
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        var stderr = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr)
                if (stderr.Length < StderrLimit) stderr.AppendLine(e.Data);
        };
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new DriverException($"cannot start {program} to mount {mountPoint}: {e.Message}; install it (apt-get install {Path.GetFileName(program)})", e);
        }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var mount = new FuseMount(mountPoint, process, stderr);
        var clock = Stopwatch.StartNew();
        while (!Platform.Mounts.IsMountPoint(mountPoint))
        {
            if (process.WaitForExit(10))
            {
                process.WaitForExit(); // drain stderr
                string output = mount.Stderr();
                int code = process.ExitCode;
                process.Dispose();
                throw new DriverException($"{program} exited with code {code} before mounting {mountPoint}: {output}");
            }
            if (clock.Elapsed > timeout)
            {
                mount.Stop();
                throw new DriverException(
                    $"{program} did not mount {mountPoint} within {timeout.TotalSeconds:0} s: {mount.Stderr()}");
            }
        }
        return mount;
    }

    /// <summary>
    /// Unmounts (lazily when still busy) and waits up to <paramref name="timeout"/> for the daemon to exit, killing it
    /// after that: a lazily detached mount whose files stay open would otherwise keep it alive.
    /// </summary>
    public void Unmount(TimeSpan timeout)
    {
        LayerMounts.Unmount(MountPoint);
        if (!_process.WaitForExit(timeout)) Stop();
        else
        {
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    private void Stop()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
        _process.Dispose();
        if (Platform.Mounts.IsMountPoint(MountPoint)) LayerMounts.Unmount(MountPoint);
    }

    private string Stderr()
    {
        lock (_stderr) return _stderr.Length == 0 ? "(no output)" : _stderr.ToString().Trim();
    }
}
