namespace Images.Platform;

/// <summary>What <c>statfs</c> tells of the filesystem holding a path.</summary>
public readonly record struct FileSystemStats(
    long Type,
    long BlockSize,
    long TotalBytes,
    long FreeBytes,
    long AvailableBytes,
    long TotalInodes,
    long FreeInodes)
{
    public long UsedBytes => TotalBytes - FreeBytes;

    /// <summary>A readable name of <see cref="Type"/> (<c>btrfs</c>, <c>xfs</c>, ...) or its magic number in hex.</summary>
    public string TypeName => FileSystems.NameOf(Type);
}

/// <summary>Filesystem-wide facts and operations: statfs(2), syncfs(2).</summary>
public static class FileSystems
{
    public const long BtrfsMagic = 0x9123683E;
    public const long XfsMagic = 0x58465342;
    public const long Ext4Magic = 0xEF53; // ext2, ext3 and ext4 share it
    public const long TmpfsMagic = 0x01021994;
    public const long OverlayMagic = 0x794C7630;

    public static FileSystemStats Stat(string path)
    {
        UnixException.ThrowIfFailed(LibC.statfs(path, out var s), "statfs", path);
        long block = s.f_frsize != 0 ? s.f_frsize : s.f_bsize;
        return new FileSystemStats(
            s.f_type, block, (long)s.f_blocks * block, (long)s.f_bfree * block, (long)s.f_bavail * block,
            (long)s.f_files, (long)s.f_ffree);
    }

    public static string NameOf(long type) => type switch
    {
        BtrfsMagic => "btrfs",
        XfsMagic => "xfs",
        Ext4Magic => "ext4",
        TmpfsMagic => "tmpfs",
        OverlayMagic => "overlay",
        _ => $"0x{type:x}",
    };

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
