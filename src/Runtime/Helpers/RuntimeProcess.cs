using System.Diagnostics;
using Images.Platform;

namespace Images.Runtime.Helpers;

/// <summary>
/// A runtime's launcher process (unshare or runc) and the container's pid 1 under it, with the stdio copies of
/// <see cref="ProcessIo.Pipes"/>. The launcher's exit code is the container's (both launchers pass it through,
/// 128+signal included). Killing goes to the container's pid 1: with it the whole pid namespace dies.
/// </summary>
internal sealed class RuntimeProcess : IRunningProcess
{
    private readonly Process _launcher;
    private readonly Task[] _pumps;
    private readonly Action? _cleanup;
    private int _disposed;

    private RuntimeProcess(Process launcher, Task[] pumps, int pid, Action? cleanup)
    {
        _launcher = launcher;
        _pumps = pumps;
        Pid = pid;
        _cleanup = cleanup;
    }

    public int Pid { get; }

    /// <summary>IProcessRuntime.Run for every runtime: Start, then Wait (cancellation kills and waits).</summary>
    public static int RunToEnd(IProcessRuntime runtime, string rootfs, ProcessSpec spec, ProcessIo io, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        using var process = runtime.Start(rootfs, spec, io);
        return process.Wait(cancel);
    }

    /// <summary>The checks every runtime's Start makes first.</summary>
    public static void CheckArguments(string rootfs, ProcessSpec spec, ProcessIo io)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootfs);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(io);
        spec.Validate();
        if (!Directory.Exists(rootfs))
            throw new DirectoryNotFoundException($"rootfs '{rootfs}' does not exist (mount the container's layer first)");
    }

    /// <summary>
    /// Starts <paramref name="psi"/> with <paramref name="io"/> and waits until <paramref name="findPid"/> (given the
    /// launcher) names the container's pid 1. When the launcher exits first, the handle has pid 0 and Wait returns its code.
    /// </summary>
    public static RuntimeProcess Start(ProcessStartInfo psi, ProcessIo io, Func<Process, int?> findPid, Action? cleanup = null)
    {
        if (!io.IsInherited)
        {
            psi.RedirectStandardInput = true;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
        }
        var launcher = Process.Start(psi) ?? throw new InvalidOperationException($"{psi.FileName} did not start");
        var pumps = new List<Task>();
        if (!io.IsInherited)
        {
            pumps.Add(Task.Run(() => Copy(launcher.StandardOutput.BaseStream, io.Stdout!)));
            pumps.Add(Task.Run(() => Copy(launcher.StandardError.BaseStream, io.Stderr!)));
            var stdin = launcher.StandardInput.BaseStream;
            if (io.Stdin is null) stdin.Dispose();
            else _ = Task.Run(() => { try { io.Stdin.CopyTo(stdin); } catch (IOException) { } finally { try { stdin.Dispose(); } catch (IOException) { } } });
        }
        int pid = 0;
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (findPid(launcher) is int found and > 0) { pid = found; break; }
            if (launcher.HasExited) break;
            if (sw.Elapsed > TimeSpan.FromSeconds(60))
            {
                try { launcher.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                launcher.WaitForExit();
                throw new TimeoutException($"{psi.FileName} did not start the container's process within 60 s");
            }
            Thread.Sleep(1);
        }
        return new RuntimeProcess(launcher, [.. pumps], pid, cleanup);
    }

    public void Signal(int signal)
    {
        if (Pid > 0 && !_launcher.HasExited) ProcessControl.Signal(Pid, signal);
    }

    public int Wait(CancellationToken cancel = default)
    {
        using (cancel.Register(Kill))
            _launcher.WaitForExit();
        Task.WaitAll(_pumps);
        int code = _launcher.ExitCode;
        Cleanup();
        cancel.ThrowIfCancellationRequested();
        return code;
    }

    private void Kill()
    {
        if (_launcher.HasExited) return;
        // The launcher reaps the container's pid 1 and exits with its status; killing the launcher too would
        // orphan a zombie. Only with no pid known yet is the launcher the thing to kill.
        if (Pid > 0) ProcessControl.Signal(Pid, ProcessControl.SIGKILL);
        else try { _launcher.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } // gone already
    }

    private void Cleanup()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _cleanup?.Invoke();
    }

    public void Dispose()
    {
        if (!_launcher.HasExited)
        {
            Kill();
            _launcher.WaitForExit();
        }
        try { Task.WaitAll(_pumps); } catch (AggregateException) { }
        Cleanup();
        _launcher.Dispose();
    }

    private static void Copy(Stream from, Stream to)
    {
        var buffer = new byte[16384];
        int n;
        while ((n = from.Read(buffer)) > 0)
        {
            to.Write(buffer, 0, n);
            to.Flush();
        }
    }
}
