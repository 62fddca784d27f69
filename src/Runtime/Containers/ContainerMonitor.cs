using System.Runtime.InteropServices;
using Images.Platform;
using Images.Store;

namespace Images.Runtime.Containers;

/// <summary>
/// The per-container monitor (what containerd's shim is): a process of ours in its own session, started by
/// <see cref="ContainerManager"/> and outliving it. It mounts the rw layer, starts the process through the runtime
/// with its own stdio (the caller's terminal when attached, the container's log when detached), records the state,
/// forwards the signals it gets, and when the process ends records the exit code, unmounts and, for --rm, removes
/// the container.
/// </summary>
internal static class ContainerMonitor
{
    public const string Mode = "monitor";

    /// <summary>Arguments: store root, container id, "attached" or "detached". Returns the container's exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length != 4) throw new ArgumentException("usage: monitor ROOT ID attached|detached");
        string root = args[1];
        var dir = ContainerManager.DirectoryOf(root, args[2]);
        bool attached = args[3] == "attached";
        var spec = dir.ReadSpec();
        // Signals are taken over before the process starts: one that arrives meanwhile is passed on once it runs
        // (left to .NET's default, it would end the monitor and orphan the container).
        IRunningProcess? running = null;
        int pending = 0;
        var gate = new object();
        var registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, context =>
            {
                context.Cancel = true; // the monitor stays to record the end
                lock (gate)
                {
                    if (running is null) pending = ProcessControl.Number(context.Signal);
                    else try { running.Signal(ProcessControl.Number(context.Signal)); } catch (UnixException) { }
                }
            }))
            .ToList();
        if (!attached) RedirectToLog(dir);

        var self = ProcessIdentity.Current;
        string rootfs;
        try
        {
            using var store = Open(root, spec);
            rootfs = store.Layers.MountRw(spec.Id);
        }
        catch (Exception e)
        {
            return Failed(root, dir, spec, self, "mounting the container's layer failed: " + e.Message);
        }

        IRunningProcess process;
        try
        {
            process = ProcessRuntimes.Open(spec.Runtime).Start(rootfs, spec.Process, ProcessIo.Inherit);
        }
        catch (Exception e)
        {
            foreach (var r in registrations) r.Dispose();
            return Failed(root, dir, spec, self, e.Message);
        }

        using (process)
        {
            var identity = ProcessIdentity.Of(process.Pid);
            using (dir.Lock())
                dir.WriteState(new ContainerState
                {
                    Status = ContainerStatus.Running,
                    MonitorPid = self.Pid,
                    MonitorStart = self.StartTime,
                    Pid = process.Pid,
                    PidStart = identity?.StartTime,
                    StartedAt = DateTimeOffset.UtcNow,
                });
            lock (gate)
            {
                running = process;
                if (pending != 0) try { process.Signal(pending); } catch (UnixException) { }
            }
            int code = process.Wait();
            foreach (var r in registrations) r.Dispose();
            Finish(root, dir, spec, new ContainerState
            {
                Status = ContainerStatus.Exited,
                Pid = process.Pid,
                StartedAt = dir.ReadState().StartedAt,
                FinishedAt = DateTimeOffset.UtcNow,
                ExitCode = code,
            });
            return code;
        }
    }

    /// <summary>Records the end, releases the mount and, for --rm, removes the container (under its lock).</summary>
    internal static void Finish(string root, ContainerDirectory dir, ContainerSpec spec, ContainerState final)
    {
        using var store = Open(root, spec);
        using (dir.Lock())
        {
            dir.WriteState(final);
            try { store.Layers.UnmountRw(spec.Id); } catch (Exception e) when (e is not OutOfMemoryException) { }
        }
        if (spec.AutoRemove) ContainerManager.RemoveFiles(store, dir, spec);
    }

    private static int Failed(string root, ContainerDirectory dir, ContainerSpec spec, ProcessIdentity self, string error)
    {
        Console.Error.WriteLine($"images: container {spec.ShortId} could not start: {error}");
        Finish(root, dir, spec, new ContainerState
        {
            Status = ContainerStatus.Exited,
            MonitorPid = self.Pid,
            MonitorStart = self.StartTime,
            FinishedAt = DateTimeOffset.UtcNow,
            ExitCode = StartFailed,
            Error = error,
        });
        return StartFailed;
    }

    /// <summary>Exit code when the container could not be started (Docker's 125).</summary>
    public const int StartFailed = 125;

    internal static LocalStore Open(string root, ContainerSpec spec) =>
        LocalStore.Open(new StoreOptions { Root = root, Driver = spec.Driver });

    /// <summary>fds 0, 1, 2 become /dev/null and the log (appended): the process writes there directly, so its output outlives us.</summary>
    private static void RedirectToLog(ContainerDirectory dir)
    {
        using var log = new FileStream(dir.LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        using var nul = new FileStream("/dev/null", FileMode.Open, FileAccess.Read);
        ProcessControl.Duplicate((int)nul.SafeFileHandle.DangerousGetHandle(), 0);
        ProcessControl.Duplicate((int)log.SafeFileHandle.DangerousGetHandle(), 1);
        ProcessControl.Duplicate((int)log.SafeFileHandle.DangerousGetHandle(), 2);
    }
}
