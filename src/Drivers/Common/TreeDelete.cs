using Images.Platform;

namespace Images.Drivers.Common;

/// <summary>
/// Recursive delete that never follows symlinks and never reaches into anything mounted inside the tree: a mount
/// point below it (from the mount table, which also catches bind mounts of the same filesystem) or an entry on another
/// device makes it refuse before or while deleting.
/// </summary>
public static class TreeDelete
{
    /// <summary>Deletes <paramref name="path"/> and everything below it; a missing path is fine.</summary>
    /// <exception cref="DriverException">something is mounted inside the tree (deleting would reach into it).</exception>
    public static void Delete(string path)
    {
        if (!Files.TryLstat(path, out var root)) return;
        if (root.Kind != FileKind.Directory)
        {
            File.Delete(path);
            return;
        }
        string full = Path.GetFullPath(path).TrimEnd('/');
        foreach (string mountPoint in Mounts.MountPoints())
            if (mountPoint == full || mountPoint.StartsWith(full + "/", StringComparison.Ordinal))
                throw new DriverException(
                    $"cannot delete {full}: {mountPoint} is mounted inside it; unmount it (umount {mountPoint}) and retry");
        DeleteDirectory(path, root.Device);
    }

    private static void DeleteDirectory(string directory, ulong device)
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var status = Files.Lstat(entry);
            if (status.Kind == FileKind.Directory)
            {
                if (status.Device != device)
                    throw new DriverException(
                        $"cannot delete {entry}: another filesystem is mounted there; unmount it (umount {entry}) and retry");
                DeleteDirectory(entry, device);
            }
            else
            {
                File.Delete(entry);
            }
        }
        Directory.Delete(directory);
    }
}
