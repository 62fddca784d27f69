namespace Images.Platform;

/// <summary>What statfs(2) tells of the filesystem holding a path.</summary>
public readonly record struct FileSystemStatus(long Magic, string TypeName, long BlockSize, ulong TotalBlocks, ulong FreeBlocks, ulong AvailableBlocks)
{
    public long TotalBytes => (long)TotalBlocks * BlockSize;
    public long AvailableBytes => (long)AvailableBlocks * BlockSize;
}

/// <summary>The filesystem a path lives on: its type (ext4, xfs, btrfs, ...) and space.</summary>
public static class FileSystems
{
    // f_type magic numbers from linux/magic.h, for the filesystems a store can sit on.
    private static readonly Dictionary<long, string> Names = new()
    {
        [0xEF53] = "ext4", // ext2/3/4 share the magic
        [0x58465342] = "xfs",
        [0x9123683E] = "btrfs",
        [0x01021994] = "tmpfs",
        [0x794C7630] = "overlayfs",
        [0x65735546] = "fuse",
        [0x2FC12FC1] = "zfs",
        [0xF2F52010] = "f2fs",
        [0x5346414F] = "afs",
        [0x6969] = "nfs",
        [0xFF534D42] = "cifs",
        [0x73717368] = "squashfs",
        [0x858458F6] = "ramfs",
        [0x61756673] = "aufs",
        [0xCA451A4E] = "bcachefs",
    };

    public static FileSystemStatus Stat(string path)
    {
        UnixException.ThrowIfFailed(LibC.statfs(path, out var s), "statfs", path);
        long magic = s.f_type & 0xFFFFFFFF;
        string name = Names.TryGetValue(magic, out var n) ? n : $"unknown (0x{magic:x})";
        return new FileSystemStatus(magic, name, s.f_bsize, s.f_blocks, s.f_bfree, s.f_bavail);
    }

    /// <summary>The type name of the filesystem holding <paramref name="path"/>, e.g. <c>ext4</c>.</summary>
    public static string TypeOf(string path) => Stat(path).TypeName;
}
