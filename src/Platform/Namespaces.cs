using System.Text;

namespace Images.Platform;

/// <summary>
/// Joining and setting up Linux namespaces from a process of our own (a container's init or exec helper). The
/// namespaces themselves are made by util-linux <c>unshare</c>/<c>nsenter</c>, which fork outside managed code.
/// </summary>
public static unsafe class Namespaces
{
    /// <summary>pivot_root(2): makes <paramref name="newRoot"/> the root; the old root ends up on <paramref name="putOld"/>.</summary>
    public static void PivotRoot(string newRoot, string putOld) =>
        UnixException.ThrowIfFailed(LibC.syscall_pivot_root(LibC.SYS_pivot_root, newRoot, putOld), "pivot_root", newRoot);

    public static void ChangeDirectory(string path) =>
        UnixException.ThrowIfFailed(LibC.chdir(path), "chdir", path);

    public static void ChangeRoot(string path) =>
        UnixException.ThrowIfFailed(LibC.chroot(path), "chroot", path);

    public static void SetHostname(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
            UnixException.ThrowIfFailed(LibC.sethostname(p, (nuint)bytes.Length), "sethostname", name);
    }

    /// <summary>
    /// Joins the mount namespace of <paramref name="pid"/> on the calling thread. A mount namespace can only be
    /// joined by a thread whose filesystem context (root, cwd) is not shared, and a .NET process always has
    /// several threads: the thread first takes a private copy of it (unshare CLONE_FS), as nsenter's single thread
    /// never needs to. The root and cwd become the namespace's root. Call on the thread that then calls execve.
    /// </summary>
    public static void JoinMountNamespace(int pid)
    {
        string path = $"/proc/{pid}/ns/mnt";
        using var ns = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        UnixException.ThrowIfFailed(LibC.unshare(LibC.CLONE_FS), "unshare", "CLONE_FS");
        UnixException.ThrowIfFailed(LibC.setns((int)ns.DangerousGetHandle(), LibC.CLONE_NEWNS), "setns", path);
    }

    /// <summary>Brings the loopback interface up (a fresh network namespace has it down).</summary>
    public static void LoopbackUp()
    {
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0);
        UnixException.ThrowIfFailed(fd, "socket", "AF_INET");
        try
        {
            // struct ifreq: 16-byte name, then the union whose first member here is short ifr_flags.
            byte* ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            "lo"u8.CopyTo(new Span<byte>(ifr, 16));
            UnixException.ThrowIfFailed(LibC.ioctl(fd, LibC.SIOCGIFFLAGS, (nint)ifr), "ioctl SIOCGIFFLAGS", "lo");
            *(short*)(ifr + 16) |= 0x1 | 0x40; // IFF_UP | IFF_RUNNING
            UnixException.ThrowIfFailed(LibC.ioctl(fd, LibC.SIOCSIFFLAGS, (nint)ifr), "ioctl SIOCSIFFLAGS", "lo");
        }
        finally { LibC.close(fd); }
    }

    public static void Symlink(string target, string linkPath) =>
        UnixException.ThrowIfFailed(LibC.symlink(target, linkPath), "symlink", linkPath);
}
