using Images.Platform;

namespace Images.Drivers.Common;

/// <summary>
/// Space accounting for snapshot drivers (btrfs, devicemapper), whose layer is an exact copy of its parent until
/// written: a snapshot keeps each inode's number, size and mtime, so a file that still matches the entry at the same
/// path in the parent is inherited, and anything else is the layer's own.
/// </summary>
public static class SnapshotUsage
{
    /// <summary>
    /// Bytes of the regular files under <paramref name="root"/> that are not inherited unchanged from
    /// <paramref name="parentRoot"/> (all of them when it is null); hard-linked inodes counted once.
    /// </summary>
    public static long OwnBytes(string root, string? parentRoot)
    {
        var seen = new HashSet<(ulong, ulong)>();
        long total = 0;
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            string relative = pending.Pop();
            foreach (string entry in Directory.EnumerateFileSystemEntries(Path.Combine(root, relative)))
            {
                string name = Path.Combine(relative, Path.GetFileName(entry));
                var status = Files.Lstat(entry);
                if (status.Kind == FileKind.Directory) pending.Push(name);
                else if (status.Kind == FileKind.Regular && (status.LinkCount < 2 || seen.Add(status.InodeKey))
                         && !Inherited(status, parentRoot, name))
                    total += status.Size;
            }
        }
        return total;
    }

    private static bool Inherited(FileStatus status, string? parentRoot, string relative) =>
        parentRoot is not null &&
        Files.TryLstat(Path.Combine(parentRoot, relative), out var before) &&
        before.Kind == FileKind.Regular && before.Inode == status.Inode && before.Size == status.Size &&
        before.MtimeSeconds == status.MtimeSeconds && before.MtimeNanoseconds == status.MtimeNanoseconds;
}
