using System.Runtime.InteropServices;

namespace Images.Platform;

internal static unsafe partial class LibC
{
    public const int O_EXCL = 0x80;

    [LibraryImport(Lib, EntryPoint = "fchown", SetLastError = true)]
    public static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    [LibraryImport(Lib, EntryPoint = "futimens", SetLastError = true)]
    public static partial int futimens(int fd, Timespec* times);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);
}
