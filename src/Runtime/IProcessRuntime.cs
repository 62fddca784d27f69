namespace Images.Runtime;

/// <summary>
/// Runs one process in fresh namespaces on an already-mounted rootfs, in the foreground; returns its exit code
/// (128+signal when killed by a signal). Cancellation kills it (SIGKILL) and waits: nothing leaks.
/// </summary>
public interface IProcessRuntime
{
    /// <summary>"builtin" or "runc".</summary>
    string Name { get; }

    int Run(string rootfs, ProcessSpec spec, ProcessIo io, CancellationToken cancel = default);

    /// <summary>
    /// Starts the process and returns once it runs (its host pid known), for callers that signal it or join its
    /// namespaces (the container monitor, exec). Dispose of the handle kills it and waits.
    /// </summary>
    IRunningProcess Start(string rootfs, ProcessSpec spec, ProcessIo io);
}

/// <summary>A process started by a runtime: pid 1 of its own pid namespace.</summary>
public interface IRunningProcess : IDisposable
{
    /// <summary>The container's pid 1 as the host sees it.</summary>
    int Pid { get; }

    /// <summary>Sends a signal to the container's pid 1 (what pid 1 has no handler for, the kernel ignores, except SIGKILL).</summary>
    void Signal(int signal);

    /// <summary>Waits for the process (and its stdio copies) and returns its exit code (128+signal when killed).</summary>
    int Wait(CancellationToken cancel = default);
}
