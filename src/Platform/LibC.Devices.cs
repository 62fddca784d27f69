using System.Runtime.InteropServices;

namespace Images.Platform;

/// <summary>Declarations for filesystem statistics and block-device ioctls (loop devices, btrfs subvolumes).</summary>
internal static unsafe partial class LibC
{
    /// <summary>struct statfs of 64-bit Linux (x86_64, arm64): every field a 64-bit word.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatFs
    {
        public long f_type;
        public long f_bsize;
        public ulong f_blocks;
        public ulong f_bfree;
        public ulong f_bavail;
        public ulong f_files;
        public ulong f_ffree;
        public ulong f_fsid;
        public long f_namelen;
        public long f_frsize;
        public long f_flags;
        public fixed long f_spare[4];
    }

    [LibraryImport(Lib, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statfs(string path, out StatFs buf);

    [LibraryImport(Lib, EntryPoint = "syncfs", SetLastError = true)]
    public static partial int syncfs(int fd);

    public const int ENXIO = 6;
    public const int ENOTTY = 25;
}
