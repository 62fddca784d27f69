namespace Images.Inspect;

public enum ChangeKind
{
    /// <summary>A directory the layer lists again with the same metadata: context, not a change.</summary>
    Unchanged,
    Added,
    Modified,
    Removed,
}

/// <summary>
/// What one layer did to one path. <see cref="Size"/> is the bytes the layer holds for it (0 for a directory or a
/// hard link); for a removal, the content bytes of everything removed under it (what the removal wastes).
/// <see cref="Before"/> is what lower layers had there (null when added).
/// </summary>
public sealed record LayerChange(string Path, ChangeKind Kind, FileFacts Facts, long Size, FileFacts? Before, bool HardLink = false);
