namespace Images.Platform;

/// <summary>The kind of a filesystem entry, from its mode's type bits.</summary>
public enum FileKind
{
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}

/// <summary>What <c>lstat</c> tells of an entry (never following a final symlink).</summary>
public readonly record struct FileStatus(
    FileKind Kind,
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    ulong Inode,
    ulong Device,
    uint LinkCount,
    uint RdevMajor,
    uint RdevMinor,
    long MtimeSeconds,
    uint MtimeNanoseconds)
{
    /// <summary>Permission bits including setuid, setgid and sticky (the low 12 bits of the mode).</summary>
    public uint Permissions => Mode & 0xfff;

    public DateTimeOffset ModifiedTime =>
        DateTimeOffset.FromUnixTimeSeconds(MtimeSeconds).AddTicks(MtimeNanoseconds / 100);

    /// <summary>Identity of the inode, for finding hard links.</summary>
    public (ulong Device, ulong Inode) InodeKey => (Device, Inode);
}
