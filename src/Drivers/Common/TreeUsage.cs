namespace Images.Drivers.Common;

/// <summary>Space accounting over a whole directory tree (a diff directory, a full-copy layer).</summary>
public static class TreeUsage
{
    /// <summary>Sum of the sizes of the regular files under <paramref name="root"/>, each hard-linked inode counted once.</summary>
    public static long RegularFileBytes(string root) => SnapshotUsage.OwnBytes(root, parentRoot: null);
}
