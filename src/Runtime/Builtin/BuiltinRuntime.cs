using Images.Platform;
using Images.Runtime.Helpers;

namespace Images.Runtime.Builtin;

/// <summary>
/// The runtime that needs nothing but the kernel, util-linux and coreutils: <c>unshare</c> makes the namespaces,
/// <c>timeout 0</c> forks into the new pid namespace and waits, our <see cref="ContainerInit"/> (this assembly as a
/// helper process) sets the container up as pid 1 and execve's the process. The exit code comes back through both
/// (a fatal signal is re-raised, so 128+signal).
/// </summary>
public sealed class BuiltinRuntime : IProcessRuntime
{
    public const string RuntimeName = "builtin";

    public string Name => RuntimeName;

    public int Run(string rootfs, ProcessSpec spec, ProcessIo io, CancellationToken cancel = default) =>
        RuntimeProcess.RunToEnd(this, rootfs, spec, io, cancel);

    public IRunningProcess Start(string rootfs, ProcessSpec spec, ProcessIo io)
    {
        RuntimeProcess.CheckArguments(rootfs, spec, io);

        // The init resolves the user again inside; resolving it here first makes a bad --user an exception for the
        // caller rather than an exit code (as runc's bundle writing does).
        ExecPlan.Prepare(rootfs, spec, [], createWorkingDir: false);

        var args = new List<string> { "--mount", "--pid", "--uts", "--ipc" };
        if (spec.Network == NetworkMode.None) args.Add("--net");
        // unshare's util-linux 2.38 --fork turns a child killed by a signal into exit 1; coreutils' timeout (with no
        // limit) forks instead: it passes 128+signal on by re-raising, and forwards the signals it gets itself.
        args.AddRange(["--", "timeout", "--foreground", "0"]);
        args.AddRange(HelperLauncher.Command(ContainerInit.Mode));
        var psi = HelperLauncher.StartInfo("unshare", args);
        psi.Environment[InitRequest.Variable] = new InitRequest(Path.GetFullPath(rootfs), spec).ToJson();
        // timeout's only child is the init, which becomes the container's process (same pid) by execve. The handle
        // is returned once that execve happened, so a signal sent through it reaches the process, not our init.
        return RuntimeProcess.Start(psi, io, launcher => ProcessControl.Children(launcher.Id) is [int pid] && HasExecuted(pid) ? pid : null);
    }

    private static bool HasExecuted(int pid)
    {
        // /proc/PID/exe names the file (as a symlink text): our dotnet host until the execve.
        try { return new FileInfo($"/proc/{pid}/exe").LinkTarget is { } exe && exe != HelperLauncher.DotnetHost; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
