namespace Images.Platform;

/// <summary>Flushing a whole filesystem, for drivers that seal a mounted device.</summary>
public static class FileSystemSync
{
    /// <summary>syncfs(2): writes out everything dirty of the filesystem holding <paramref name="path"/>.</summary>
    public static void Sync(string path)
    {
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        UnixException.ThrowIfFailed(fd, "open", path);
        try
        {
            UnixException.ThrowIfFailed(LibC.syncfs(fd), "syncfs", path);
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
