using Images.Platform;

namespace Images.Drivers.Common;

/// <summary>Space accounting over a directory tree.</summary>
public static class TreeUsage
{
    /// <summary>Sum of the sizes of the regular files under <paramref name="root"/>, each hard-linked inode counted once.</summary>
    public static long RegularFileBytes(string root)
    {
        var seen = new HashSet<(ulong, ulong)>();
        long total = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(pending.Pop()))
            {
                var status = Files.Lstat(entry);
                if (status.Kind == FileKind.Directory) pending.Push(entry);
                else if (status.Kind == FileKind.Regular && (status.LinkCount < 2 || seen.Add(status.InodeKey)))
                    total += status.Size;
            }
        }
        return total;
    }
}
