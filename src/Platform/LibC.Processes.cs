using System.Runtime.InteropServices;

namespace Images.Platform;

// Namespaces, credentials, exec and signals: what a container's init and exec helpers call (see Namespaces,
// Credentials, ProcessControl).
internal static unsafe partial class LibC
{
    public const long SYS_pivot_root = 155;

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial long syscall_pivot_root(long number, string newRoot, string putOld);

    [LibraryImport(Lib, EntryPoint = "sethostname", SetLastError = true)]
    public static partial int sethostname(byte* name, nuint length);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport(Lib, EntryPoint = "unshare", SetLastError = true)]
    public static partial int unshare(int flags);

    [LibraryImport(Lib, EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chroot(string path);

    [LibraryImport(Lib, EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chdir(string path);

    [LibraryImport(Lib, EntryPoint = "setgroups", SetLastError = true)]
    public static partial int setgroups(nuint size, uint* list);

    [LibraryImport(Lib, EntryPoint = "setresgid", SetLastError = true)]
    public static partial int setresgid(uint rgid, uint egid, uint sgid);

    [LibraryImport(Lib, EntryPoint = "setresuid", SetLastError = true)]
    public static partial int setresuid(uint ruid, uint euid, uint suid);

    [LibraryImport(Lib, EntryPoint = "prctl", SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, EntryPoint = "execve", SetLastError = true)]
    public static partial int execve(byte* path, byte** argv, byte** envp);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "dup2", SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport(Lib, EntryPoint = "symlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int symlink(string target, string linkpath);

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    public const int CLONE_FS = 0x200;
    public const int CLONE_NEWNS = 0x20000;
    public const int PR_SET_PDEATHSIG = 1;
    public const int PR_SET_NO_NEW_PRIVS = 38;
    public const int PR_CAPBSET_DROP = 24;
    public const int AF_INET = 2;
    public const int SOCK_DGRAM = 2;
    public const ulong SIOCGIFFLAGS = 0x8913;
    public const ulong SIOCSIFFLAGS = 0x8914;
    public const int ESRCH = 3;
    public const int EACCES = 13;
    public const int ENOEXEC = 8;
}
