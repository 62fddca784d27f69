using Images.Platform;

namespace Images.Drivers.Common;

/// <summary>
/// Copies a directory tree exactly, for drivers whose layers are full copies of their parent (vfs): entry types
/// (regular files, directories, symlinks, devices, fifos, sockets), all permission bits including setuid, setgid and
/// sticky, owners, xattrs (file capabilities included), modification times and hard-link groups. File data is shared
/// with a FICLONE reflink where the filesystem can (btrfs, xfs), else copied.
/// </summary>
public static class TreeCopy
{
    private const int CopyBufferSize = 128 << 10;

    /// <summary>Copies <paramref name="source"/> (a directory) to <paramref name="destination"/>, which must not exist.</summary>
    /// <exception cref="DriverException">the source is not a directory or the destination exists.</exception>
    public static void Copy(string source, string destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        if (!Files.TryLstat(source, out var root) || root.Kind != FileKind.Directory)
            throw new DriverException($"cannot copy {source}: it is not a directory");
        if (Files.TryLstat(destination, out _))
            throw new DriverException($"cannot copy {source} to {destination}: the destination exists; remove it or pick another");
        new Copier().CopyDirectory(source, destination, root);
    }

    /// <summary>Whether files in <paramref name="directory"/> can be reflinked (probes with two scratch files).</summary>
    public static bool SupportsReflink(string directory)
    {
        // Staging names, so AtomicDirectories.Recover deletes them if the process dies mid-probe.
        string a = Path.Combine(directory, AtomicDirectories.StagingName("reflink-probe"));
        string b = a + "-clone";
        try
        {
            using var source = File.OpenHandle(a, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
            RandomAccess.Write(source, new byte[4096], 0);
            using var clone = File.OpenHandle(b, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
            return Files.TryClone(source, clone);
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    private sealed class Copier
    {
        // First destination path of each multiply-linked source inode, to link the others to it.
        private readonly Dictionary<(ulong, ulong), string> _linked = [];

        public void CopyDirectory(string source, string destination, FileStatus status)
        {
            Directory.CreateDirectory(destination);
            var entries = Directory.GetFileSystemEntries(source);
            Array.Sort(entries, StringComparer.Ordinal);
            foreach (string entry in entries)
                CopyEntry(entry, Path.Combine(destination, Path.GetFileName(entry)));
            // Metadata last: the mode may forbid writing, and creating entries changed the mtime.
            ApplyMetadata(source, destination, status);
        }

        private void CopyEntry(string source, string destination)
        {
            var status = Files.Lstat(source);
            if (status.Kind == FileKind.Directory)
            {
                CopyDirectory(source, destination, status);
                return;
            }
            if (status.LinkCount > 1)
            {
                if (_linked.TryGetValue(status.InodeKey, out var first))
                {
                    Files.HardLink(first, destination);
                    return;
                }
                _linked[status.InodeKey] = destination;
            }
            switch (status.Kind)
            {
                case FileKind.Regular:
                    CopyFileData(source, destination);
                    break;
                case FileKind.Symlink:
                    string target = new FileInfo(source).LinkTarget
                        ?? throw new DriverException($"cannot read the target of symlink {source}");
                    File.CreateSymbolicLink(destination, target);
                    break;
                default: // devices, fifos, sockets: the node itself, never its content
                    Files.Mknod(destination, status.Mode, status.RdevMajor, status.RdevMinor);
                    break;
            }
            ApplyMetadata(source, destination, status);
        }

        private static void CopyFileData(string source, string destination)
        {
            using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var output = File.OpenHandle(destination, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
            if (Files.TryClone(input, output)) return;
            using var reader = new FileStream(input, FileAccess.Read, 0);
            using var writer = new FileStream(output, FileAccess.Write, 0);
            reader.CopyTo(writer, CopyBufferSize);
        }

        private static void ApplyMetadata(string source, string destination, FileStatus status)
        {
            // Owner before mode (chown clears setuid/setgid) and before xattrs (chown drops security.capability).
            Files.Lchown(destination, status.Uid, status.Gid);
            if (status.Kind != FileKind.Symlink) Files.Chmod(destination, status.Permissions);
            foreach (string name in Files.ListXattrs(source))
            {
                byte[]? value = Files.GetXattr(source, name);
                if (value is not null) Files.SetXattr(destination, name, value);
            }
            FileTimes.SetNoFollow(destination, status.MtimeSeconds, status.MtimeNanoseconds);
        }
    }
}
