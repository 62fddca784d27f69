using System.Runtime.InteropServices;

namespace Images.Platform;

// statfs(2) and renameat2(2), used by FileSystems and Renames.
internal static unsafe partial class LibC
{
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
        public long f_fsid;
        public long f_namelen;
        public long f_frsize;
        public long f_flags;
        public fixed long f_spare[4];
    }

    [LibraryImport(Lib, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statfs(string path, out StatFs buf);

    [LibraryImport(Lib, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    public const uint RENAME_NOREPLACE = 1;
}
