using System.Runtime.InteropServices;

namespace Images.Platform;

/// <summary>
/// P/Invoke declarations for the Linux system calls the project needs and the BCL does not offer.
/// Callers use the typed wrappers in <see cref="Files"/>, <see cref="Mounts"/> and friends, which turn errno into
/// <see cref="UnixException"/>; nothing outside this project calls libc directly.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_BASIC_STATS = 0x7ff;

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long tv_sec;
        public uint tv_nsec;
        public int __reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Statx
    {
        public uint stx_mask;
        public uint stx_blksize;
        public ulong stx_attributes;
        public uint stx_nlink;
        public uint stx_uid;
        public uint stx_gid;
        public ushort stx_mode;
        public ushort __spare0;
        public ulong stx_ino;
        public ulong stx_size;
        public ulong stx_blocks;
        public ulong stx_attributes_mask;
        public StatxTimestamp stx_atime;
        public StatxTimestamp stx_btime;
        public StatxTimestamp stx_ctime;
        public StatxTimestamp stx_mtime;
        public uint stx_rdev_major;
        public uint stx_rdev_minor;
        public uint stx_dev_major;
        public uint stx_dev_minor;
        public fixed ulong __spare2[14];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    public const long UTIME_OMIT = (1L << 30) - 2;

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, out Statx buf);

    [LibraryImport(Lib, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lchown(string path, uint owner, uint group);

    [LibraryImport(Lib, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport(Lib, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int link(string oldpath, string newpath);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int utimensat(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Lib, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint lgetxattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Lib, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint llistxattr(string path, byte* list, nuint size);

    [LibraryImport(Lib, EntryPoint = "lremovexattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lremovexattr(string path, string name);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int ioctl(int fd, ulong request, nint arg);

    [LibraryImport(Lib, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint geteuid();

    [LibraryImport(Lib, EntryPoint = "umask")]
    public static partial uint umask(uint mask);

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;

    public const int LOCK_SH = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    public const int MNT_DETACH = 2;

    /// <summary>FICLONE: share all extents of the source file with the destination (reflink).</summary>
    public const ulong FICLONE = 0x40049409;

    public const int ENODATA = 61;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ERANGE = 34;
    public const int EINVAL = 22;
    public const int EBUSY = 16;
    public const int EWOULDBLOCK = 11;
    public const int EOPNOTSUPP = 95;
    public const int EXDEV = 18;
    public const int ENOTSUP = EOPNOTSUPP;
    public const int EPERM = 1;
}
