using System.Runtime.InteropServices;

namespace Images.Platform;

// syncfs(2) and the errnos of loop-device ioctls, used by FileSystemSync and LoopDevice.
internal static unsafe partial class LibC
{
    [LibraryImport(Lib, EntryPoint = "syncfs", SetLastError = true)]
    public static partial int syncfs(int fd);

    public const int ENXIO = 6;
}
