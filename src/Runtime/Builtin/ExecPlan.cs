using Images.Platform;
using Images.Runtime.Users;

namespace Images.Runtime.Builtin;

/// <summary>
/// The last steps of starting a container's process, shared by the init and exec helpers: everything that reads
/// files or may throw is done by <see cref="Prepare"/> while the host's files are still reachable (the .NET runtime
/// loads code lazily from them); <see cref="Execute"/> then runs only system calls, after pivot_root or setns.
/// </summary>
internal sealed class ExecPlan
{
    private ExecPlan(IReadOnlyList<string> args, IReadOnlyList<string> env, string workingDir, ExecUser user, IReadOnlyList<string> candidates)
    {
        Args = args;
        Env = env;
        WorkingDir = workingDir;
        User = user;
        Candidates = candidates;
    }

    public IReadOnlyList<string> Args { get; }
    public IReadOnlyList<string> Env { get; }
    public string WorkingDir { get; }
    public ExecUser User { get; }

    /// <summary>Where Args[0] may be, in PATH order (execvp's search, done up front).</summary>
    public IReadOnlyList<string> Candidates { get; }

    /// <summary>
    /// Resolves the user in the container's /etc/passwd and /etc/group (reached through <paramref name="rootfs"/>,
    /// symlinks kept inside it), completes the environment and, when <paramref name="createWorkingDir"/>, makes the
    /// working directory.
    /// </summary>
    public static ExecPlan Prepare(string rootfs, ProcessSpec spec, IReadOnlyList<string> extraEnv, bool createWorkingDir)
    {
        string passwd = RootfsPath.Resolve(rootfs, "/etc/passwd", RootfsPath.Create.None) ?? "/nonexistent";
        string group = RootfsPath.Resolve(rootfs, "/etc/group", RootfsPath.Create.None) ?? "/nonexistent";
        var user = UserResolver.Resolve(spec.User, passwd, group);
        var env = ProcessEnvironment.Complete([.. extraEnv, .. spec.Env], user.Home);
        if (createWorkingDir) RootfsPath.Resolve(rootfs, spec.WorkingDir, RootfsPath.Create.Directory);
        string name = spec.Args[0];
        IReadOnlyList<string> candidates = name.Contains('/')
            ? [name]
            : [.. ProcessEnvironment.Get(env, "PATH")!.Split(':').Select(d => (d.Length == 0 ? "." : d).TrimEnd('/') + "/" + name)];
        WarmUp();
        return new ExecPlan(spec.Args, env, spec.WorkingDir, user, candidates);
    }

    /// <summary>
    /// True when a candidate for Args[0] exists in <paramref name="rootfs"/> (for runtimes that cannot tell "not found"
    /// apart from their own failures by exit code).
    /// </summary>
    public bool CommandExists(string rootfs) =>
        Candidates.Any(c => RootfsPath.Resolve(rootfs, c.StartsWith('/') ? c : WorkingDir + "/" + c, RootfsPath.Create.None) is { } path
                            && File.Exists(path));

    /// <summary>The message and exit code of a command that is not there (Docker's wording and 127).</summary>
    public (string Message, int ExitCode) NotFound() =>
        (Args[0].Contains('/') ? $"exec \"{Args[0]}\": no such file or directory" : $"exec \"{Args[0]}\": executable file not found in $PATH",
         ContainerInit.NotFound);

    /// <summary>chdir, credentials, no-new-privileges, execve. Returns an exit code only when nothing could be executed.</summary>
    public int Execute()
    {
        try
        {
            Namespaces.ChangeDirectory(WorkingDir);
            ProcessControl.LimitCapabilities(DefaultCapabilities.Numbers);
            ProcessControl.SetCredentials(User.Uid, User.Gid, User.Groups);
            ProcessControl.SetNoNewPrivileges();
            // Changing credentials cleared any parent-death signal; set it so the process dies with its parent.
            ProcessControl.SetParentDeathSignal(ProcessControl.SIGKILL);
        }
        catch (UnixException e)
        {
            return Fail(e.Message, ContainerInit.SetupFailed);
        }
        int denied = 0, errno;
        foreach (var candidate in Candidates)
        {
            errno = ProcessControl.Exec(candidate, Args, Env);
            if (errno is 13 or 8) denied = errno; // EACCES, ENOEXEC: remember, keep looking like execvp
        }
        if (denied != 0) return Fail($"exec \"{Args[0]}\": permission denied (errno {denied})", ContainerInit.NotExecutable);
        var (message, code) = NotFound();
        return Fail(message, code);
    }

    /// <summary>
    /// Loads what the failure path needs (console, exception handling, errno messages) while the runtime's files are
    /// reachable: after pivot_root a lazily loaded assembly or native library would be missing.
    /// </summary>
    private static void WarmUp()
    {
        _ = StandardError.CanWrite;
        _ = System.Text.Encoding.UTF8.GetBytes("images: ");
        try { throw new UnixException("warm-up", "", 2); }
        catch (UnixException e) { _ = e.Message + e.StackTrace; }
    }

    /// <summary>fd 2 as a plain stream (System.Console loads more assemblies on first use than a FileStream).</summary>
    private static readonly FileStream StandardError =
        new(new Microsoft.Win32.SafeHandles.SafeFileHandle(2, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    private static int Fail(string message, int code)
    {
        try { StandardError.Write(System.Text.Encoding.UTF8.GetBytes("images: " + message + "\n")); }
        catch (IOException) { } // stderr closed: the exit code still tells
        return code;
    }
}
