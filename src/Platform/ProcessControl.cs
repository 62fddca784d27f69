using System.Runtime.InteropServices;
using System.Text;

namespace Images.Platform;

/// <summary>Credentials, exec, signals and fds of the current process, for the runtime's helper processes.</summary>
public static unsafe class ProcessControl
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGINT = 2;

    /// <summary>Sets groups, gid and uid (all of real, effective and saved), in that order: groups and gid need root.</summary>
    public static void SetCredentials(uint uid, uint gid, IReadOnlyList<uint> groups)
    {
        uint[] list = [.. groups];
        fixed (uint* p = list)
            UnixException.ThrowIfFailed(LibC.setgroups((nuint)list.Length, p), "setgroups", string.Join(',', list));
        UnixException.ThrowIfFailed(LibC.setresgid(gid, gid, gid), "setresgid", gid.ToString());
        UnixException.ThrowIfFailed(LibC.setresuid(uid, uid, uid), "setresuid", uid.ToString());
    }

    /// <summary>
    /// Drops every capability not in <paramref name="keep"/> from the bounding set (PR_CAPBSET_DROP), so no later
    /// execve can hold them, root included; capabilities the kernel knows beyond /proc's cap_last_cap are ignored.
    /// </summary>
    public static void LimitCapabilities(IReadOnlySet<int> keep)
    {
        int last = int.TryParse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), out int n) ? n : 40;
        for (int cap = 0; cap <= last; cap++)
            if (!keep.Contains(cap))
                UnixException.ThrowIfFailed(LibC.prctl(LibC.PR_CAPBSET_DROP, (nuint)cap, 0, 0, 0), "prctl", $"PR_CAPBSET_DROP {cap}");
    }

    /// <summary>PR_SET_NO_NEW_PRIVS: execve can never grant privileges again (setuid bits, file capabilities).</summary>
    public static void SetNoNewPrivileges() =>
        UnixException.ThrowIfFailed(LibC.prctl(LibC.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl", "PR_SET_NO_NEW_PRIVS");

    /// <summary>The signal this process gets when its parent dies (PR_SET_PDEATHSIG).</summary>
    public static void SetParentDeathSignal(int signal) =>
        UnixException.ThrowIfFailed(LibC.prctl(LibC.PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0), "prctl", "PR_SET_PDEATHSIG");

    /// <summary>
    /// Replaces the process image; returns only on failure, with the errno (no exception: callers may have lost
    /// the files the runtime loads lazily, after pivot_root).
    /// </summary>
    public static int Exec(string path, IReadOnlyList<string> args, IReadOnlyList<string> env)
    {
        var handles = new List<nint>();
        try
        {
            byte** argv = Strings(args, handles);
            byte** envp = Strings(env, handles);
            byte* file = (byte*)Utf8(path, handles);
            LibC.execve(file, argv, envp);
            return UnixException.LastErrno;
        }
        finally
        {
            foreach (var h in handles) Marshal.FreeHGlobal(h);
        }
    }

    private static byte** Strings(IReadOnlyList<string> values, List<nint> handles)
    {
        var array = (byte**)Marshal.AllocHGlobal(sizeof(nint) * (values.Count + 1));
        handles.Add((nint)array);
        for (int i = 0; i < values.Count; i++) array[i] = (byte*)Utf8(values[i], handles);
        array[values.Count] = null;
        return array;
    }

    private static nint Utf8(string s, List<nint> handles)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        var p = Marshal.AllocHGlobal(n + 1);
        handles.Add(p);
        var span = new Span<byte>((byte*)p, n + 1);
        Encoding.UTF8.GetBytes(s, span);
        span[n] = 0;
        return p;
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when there is no such process.</summary>
    public static bool Signal(int pid, int signal)
    {
        if (LibC.kill(pid, signal) == 0) return true;
        int errno = UnixException.LastErrno;
        if (errno == LibC.ESRCH) return false;
        throw new UnixException("kill", $"pid {pid} signal {signal}", errno);
    }

    /// <summary>The Linux number of a signal .NET names (PosixSignal values are negative placeholders).</summary>
    public static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => SIGINT,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => SIGTERM,
        _ => (int)signal,
    };

    /// <summary>dup2(2): makes <paramref name="newFd"/> a copy of <paramref name="oldFd"/>.</summary>
    public static void Duplicate(int oldFd, int newFd) =>
        UnixException.ThrowIfFailed(LibC.dup2(oldFd, newFd), "dup2", $"{oldFd} to {newFd}");

    /// <summary>The host pids of <paramref name="pid"/>'s children (its main thread's, from /proc).</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
            return [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException) { return []; }
    }
}
