using System.Runtime.InteropServices;
using System.Text;

namespace Images.Platform;

/// <summary>File metadata operations the BCL lacks: owners, device nodes, hard links, xattrs, nanosecond times.</summary>
public static unsafe class Files
{
    public const uint S_IFMT = 0xf000;
    public const uint S_IFSOCK = 0xc000;
    public const uint S_IFLNK = 0xa000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFIFO = 0x1000;

    /// <summary>lstat: the status of <paramref name="path"/> itself, not of what a symlink points to.</summary>
    public static FileStatus Lstat(string path)
    {
        if (!TryLstat(path, out var status, out int errno))
            throw new UnixException("lstat", path, errno);
        return status;
    }

    /// <summary>lstat that reports a missing entry as false instead of throwing.</summary>
    public static bool TryLstat(string path, out FileStatus status) =>
        TryLstat(path, out status, out int errno) || (errno == LibC.ENOENT || errno == 20 /* ENOTDIR */
            ? false
            : throw new UnixException("lstat", path, errno));

    private static bool TryLstat(string path, out FileStatus status, out int errno)
    {
        int rc = LibC.statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var s);
        if (rc != 0)
        {
            errno = UnixException.LastErrno;
            status = default;
            return false;
        }
        errno = 0;
        status = new FileStatus(
            KindOf(s.stx_mode), s.stx_mode, s.stx_uid, s.stx_gid, (long)s.stx_size, s.stx_ino,
            ((ulong)s.stx_dev_major << 32) | s.stx_dev_minor, s.stx_nlink, s.stx_rdev_major, s.stx_rdev_minor,
            s.stx_mtime.tv_sec, s.stx_mtime.tv_nsec);
        return true;
    }

    public static FileKind KindOf(uint mode) => (mode & S_IFMT) switch
    {
        S_IFDIR => FileKind.Directory,
        S_IFLNK => FileKind.Symlink,
        S_IFCHR => FileKind.CharDevice,
        S_IFBLK => FileKind.BlockDevice,
        S_IFIFO => FileKind.Fifo,
        S_IFSOCK => FileKind.Socket,
        _ => FileKind.Regular,
    };

    /// <summary>Sets owner and group of <paramref name="path"/> without following a symlink.</summary>
    public static void Lchown(string path, uint uid, uint gid) =>
        UnixException.ThrowIfFailed(LibC.lchown(path, uid, gid), "lchown", path);

    /// <summary>chmod with all 12 permission bits (setuid, setgid, sticky included), which File.SetUnixFileMode also takes but chmod keeps exact.</summary>
    public static void Chmod(string path, uint permissions) =>
        UnixException.ThrowIfFailed(LibC.chmod(path, permissions & 0xfff), "chmod", path);

    /// <summary>Creates a device node or fifo. <paramref name="mode"/> includes the type bits.</summary>
    public static void Mknod(string path, uint mode, uint major, uint minor) =>
        UnixException.ThrowIfFailed(LibC.mknod(path, mode, MakeDev(major, minor)), "mknod", path);

    /// <summary>glibc's makedev encoding.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    public static void HardLink(string existing, string newPath) =>
        UnixException.ThrowIfFailed(LibC.link(existing, newPath), "link", $"{newPath} -> {existing}");

    /// <summary>Sets access and modification time without following a symlink (works on symlinks too).</summary>
    public static void SetTimesNoFollow(string path, DateTimeOffset mtime, DateTimeOffset? atime = null)
    {
        var times = stackalloc LibC.Timespec[2];
        times[0] = ToTimespec(atime ?? mtime);
        times[1] = ToTimespec(mtime);
        UnixException.ThrowIfFailed(
            LibC.utimensat(LibC.AT_FDCWD, path, times, LibC.AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }

    internal static LibC.Timespec ToTimespec(DateTimeOffset t)
    {
        long ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0) { seconds--; rem += TimeSpan.TicksPerSecond; }
        return new LibC.Timespec { tv_sec = seconds, tv_nsec = rem * 100 };
    }

    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
            UnixException.ThrowIfFailed(LibC.lsetxattr(path, name, p, (nuint)value.Length, 0), "lsetxattr", $"{path} ({name})");
    }

    /// <summary>The value of xattr <paramref name="name"/>, or null when the entry does not have it.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        while (true)
        {
            nint size = LibC.lgetxattr(path, name, null, 0);
            if (size < 0)
            {
                int errno = UnixException.LastErrno;
                if (errno == LibC.ENODATA || errno == LibC.EOPNOTSUPP) return null;
                throw new UnixException("lgetxattr", $"{path} ({name})", errno);
            }
            var buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                nint got = LibC.lgetxattr(path, name, p, (nuint)buffer.Length);
                if (got >= 0) return got == buffer.Length ? buffer : buffer[..(int)got];
                int errno = UnixException.LastErrno;
                if (errno == LibC.ERANGE) continue; // grew between the two calls
                if (errno == LibC.ENODATA) return null;
                throw new UnixException("lgetxattr", $"{path} ({name})", errno);
            }
        }
    }

    /// <summary>The names of all xattrs of <paramref name="path"/> (without following a symlink), sorted.</summary>
    public static IReadOnlyList<string> ListXattrs(string path)
    {
        while (true)
        {
            nint size = LibC.llistxattr(path, null, 0);
            if (size < 0)
            {
                int errno = UnixException.LastErrno;
                if (errno == LibC.EOPNOTSUPP) return [];
                throw new UnixException("llistxattr", path, errno);
            }
            if (size == 0) return [];
            var buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                nint got = LibC.llistxattr(path, p, (nuint)buffer.Length);
                if (got < 0)
                {
                    if (UnixException.LastErrno == LibC.ERANGE) continue;
                    throw new UnixException("llistxattr", path, UnixException.LastErrno);
                }
                var names = Encoding.UTF8.GetString(buffer, 0, (int)got)
                    .Split('\0', StringSplitOptions.RemoveEmptyEntries);
                Array.Sort(names, StringComparer.Ordinal);
                return names;
            }
        }
    }

    public static void RemoveXattr(string path, string name)
    {
        if (LibC.lremovexattr(path, name) != 0 && UnixException.LastErrno != LibC.ENODATA)
            throw new UnixException("lremovexattr", $"{path} ({name})", UnixException.LastErrno);
    }

    /// <summary>
    /// Makes <paramref name="destination"/> share the data of <paramref name="source"/> (FICLONE reflink).
    /// Returns false when the filesystem cannot (EOPNOTSUPP, EXDEV, EINVAL), so callers fall back to a copy.
    /// </summary>
    public static bool TryClone(SafeHandle source, SafeHandle destination)
    {
        int rc = LibC.ioctl((int)destination.DangerousGetHandle(), LibC.FICLONE, source.DangerousGetHandle());
        if (rc == 0) return true;
        int errno = UnixException.LastErrno;
        if (errno is LibC.EOPNOTSUPP or LibC.EXDEV or LibC.EINVAL or 25 /* ENOTTY */) return false;
        throw new UnixException("ioctl(FICLONE)", "", errno);
    }

    /// <summary>fsync on a directory, so that a rename or create inside it is durable.</summary>
    public static void FsyncDirectory(string path)
    {
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        UnixException.ThrowIfFailed(fd, "open", path);
        try
        {
            UnixException.ThrowIfFailed(LibC.fsync(fd), "fsync", path);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>True when this process runs as root (euid 0).</summary>
    public static bool IsRoot => LibC.geteuid() == 0;
}
