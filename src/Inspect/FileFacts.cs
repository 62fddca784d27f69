namespace Images.Inspect;

/// <summary>What an entry of a root filesystem is, as a layer tar header (and, for a diff, its content digest) tells it.</summary>
public enum FileType
{
    File,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
}

/// <summary>
/// The facts about one path that a header gives: type, content size, permission bits (with setuid/setgid/sticky),
/// owner, link target, device numbers, xattrs (as one sorted text), and the sha256 of the content when it was read.
/// </summary>
public sealed record FileFacts(
    FileType Type,
    long Size,
    int Mode,
    int Uid,
    int Gid,
    string? LinkTarget = null,
    int DevMajor = 0,
    int DevMinor = 0,
    string? Xattrs = null,
    string? ContentDigest = null)
{
    public bool IsDirectory => Type == FileType.Directory;

    /// <summary>A directory made because an entry below it was written without one (mode 0755, root-owned, as extraction makes it).</summary>
    public static FileFacts ImplicitDirectory { get; } = new(FileType.Directory, 0, 0x1ed, 0, 0);

    /// <summary>Same metadata (mode, owner, xattrs), the content aside.</summary>
    public bool SameMetadata(FileFacts other) =>
        Mode == other.Mode && Uid == other.Uid && Gid == other.Gid && Xattrs == other.Xattrs;

    /// <summary>Everything a recursive comparison of two extracted trees sees (modification times aside).</summary>
    public bool SameAs(FileFacts other) =>
        Type == other.Type && SameMetadata(other) && LinkTarget == other.LinkTarget
        && DevMajor == other.DevMajor && DevMinor == other.DevMinor
        && (Type != FileType.File || (Size == other.Size && ContentDigest == other.ContentDigest));

    public string ModeText => Convert.ToString(Mode, 8).PadLeft(4, '0');

    public string TypeText => Type switch
    {
        FileType.File => "file",
        FileType.Directory => "dir",
        FileType.Symlink => "symlink",
        FileType.CharDevice => "char",
        FileType.BlockDevice => "block",
        _ => "fifo",
    };
}
