using Images.Core.Layers;
using Images.Platform;

namespace Images.Archive;

/// <summary>
/// Writes layer tars. Output is deterministic: entries in <see cref="PathOrder"/>, numeric owners without names,
/// mtimes in whole seconds, no atime/ctime, hard links as one regular file followed by link entries, xattrs as
/// <c>SCHILY.xattr.*</c>. The same tree gives the same bytes, whatever its inode numbers, atimes or ctimes.
/// </summary>
public static class LayerWriter
{
    /// <summary>A whole tree (for <c>images export</c>), its root itself not included.</summary>
    public static void WriteTree(Stream output, string root, WriteOptions? options = null) =>
        WriteDiffDirectory(output, root, WhiteoutFormat.Applied, options);

    /// <summary>
    /// A native diff directory: its entries, with whiteouts in <paramref name="format"/> converted to the OCI
    /// form (an overlay 0/0 device becomes <c>.wh.name</c>, an opaque directory gets <c>.wh..wh..opq</c> right
    /// after it). overlayfs' own xattrs and AUFS bookkeeping are left out.
    /// </summary>
    public static void WriteDiffDirectory(Stream output, string directory, WhiteoutFormat format, WriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        string root = TreeEntries.NormalizeRoot(directory, nameof(directory));
        var writer = new EntryWriter(output, options);
        WriteChildren(writer, root, "", format);
        writer.Finish();
    }

    /// <summary>
    /// A generic diff: the entries of <paramref name="root"/> that <paramref name="changes"/> name (added or
    /// modified; a directory alone, not its content), and a <c>.wh.</c> entry for each deleted path (one for a
    /// deleted directory, none for what was inside it).
    /// </summary>
    public static void WriteChanges(Stream output, string root, IReadOnlyList<Change> changes, WriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(changes);
        string fullRoot = TreeEntries.NormalizeRoot(root, nameof(root));
        var items = new List<(string Rel, ChangeKind Kind)>(changes.Count);
        foreach (var change in changes)
        {
            string rel = change.Path.Trim('/');
            if (rel.Length == 0 || rel.Split('/').Any(c => c is "" or "." or ".."))
                throw new ArgumentException($"change path '{change.Path}' is not a clean absolute path", nameof(changes));
            var (parent, name) = TreeEntries.Split(rel);
            items.Add((change.Kind == ChangeKind.Deleted ? TreeEntries.Join(parent, Whiteouts.NameFor(name)) : rel, change.Kind));
        }
        items.Sort((a, b) => PathOrder.Instance.Compare(a.Rel, b.Rel));

        var writer = new EntryWriter(output, options);
        var deletedDirs = new List<string>();
        string? previous = null;
        foreach (var (rel, kind) in items)
        {
            if (rel == previous) continue;
            previous = rel;
            if (kind == ChangeKind.Deleted)
            {
                var (parent, name) = TreeEntries.Split(rel);
                string removed = TreeEntries.Join(parent, name[Whiteouts.Prefix.Length..]);
                if (deletedDirs.Any(d => parent == d || parent.StartsWith(d + "/", StringComparison.Ordinal))) continue;
                deletedDirs.Add(removed);
                writer.WriteWhiteout(rel, new TarHeader(rel, TarHeader.Regular) { Mode = Whiteouts.EntryMode });
                continue;
            }
            string full = TreeEntries.Full(fullRoot, rel);
            if (!Files.TryLstat(full, out var status))
                throw new ArchiveException($"'{rel}' is listed as changed but is not in {fullRoot}; was the tree modified while its diff was written?");
            writer.WriteEntry(rel, full, status);
        }
        writer.Finish();
    }

    private static void WriteChildren(EntryWriter writer, string directory, string rel, WhiteoutFormat format)
    {
        // Sorted by the names they get in the tar, so an overlay whiteout sits where its .wh. name belongs.
        var children = new List<(string TarName, string Name, FileStatus Status)>();
        foreach (var name in TreeEntries.SortedNames(directory))
        {
            if (format == WhiteoutFormat.Aufs && Whiteouts.IsMeta(name)) continue;
            var status = Files.Lstat(directory + "/" + name);
            if (status.Kind == FileKind.Socket) continue; // sockets are not content (as in Docker)
            bool whiteout = format == WhiteoutFormat.Overlay && Whiteouts.IsOverlayWhiteout(status);
            children.Add((whiteout ? Whiteouts.NameFor(name) : name, name, status));
        }
        children.Sort((a, b) => PathOrder.CompareNames(a.TarName, b.TarName));

        foreach (var (tarName, name, status) in children)
        {
            string childRel = TreeEntries.Join(rel, tarName);
            string full = directory + "/" + name;
            if (tarName != name)
            {
                writer.WriteWhiteout(childRel, writer.HeaderFor(childRel, status) with { TypeFlag = TarHeader.Regular, Mode = Whiteouts.EntryMode, DevMajor = 0, DevMinor = 0 });
                continue;
            }
            writer.WriteEntry(childRel, full, status);
            if (status.Kind != FileKind.Directory) continue;
            if (format == WhiteoutFormat.Overlay && Whiteouts.IsOverlayOpaque(full))
            {
                string marker = TreeEntries.Join(childRel, Whiteouts.OpaqueMarker);
                writer.WriteWhiteout(marker, new TarHeader(marker, TarHeader.Regular)
                {
                    Mode = status.Permissions & 0x1ff, Uid = status.Uid, Gid = status.Gid, MtimeSeconds = status.MtimeSeconds,
                });
            }
            WriteChildren(writer, full, childRel, format);
        }
    }

    /// <summary>Turns filesystem entries into tar headers, remembering inodes for hard links.</summary>
    private sealed class EntryWriter(Stream output, WriteOptions? options)
    {
        private readonly TarHeaderWriter _tar = new(output);
        private readonly Dictionary<(ulong, ulong), string> _links = [];
        private readonly long? _clamp = options?.ClampMtime?.ToUnixTimeSeconds();

        public long Clamp(long seconds) => _clamp is { } c && seconds > c ? c : seconds;

        public TarHeader HeaderFor(string rel, in FileStatus status) => new(rel, status.Kind switch
        {
            FileKind.Directory => TarHeader.Directory,
            FileKind.Symlink => TarHeader.Symlink,
            FileKind.CharDevice => TarHeader.CharDevice,
            FileKind.BlockDevice => TarHeader.BlockDevice,
            FileKind.Fifo => TarHeader.Fifo,
            _ => TarHeader.Regular,
        })
        {
            Mode = status.Permissions,
            Uid = status.Uid,
            Gid = status.Gid,
            MtimeSeconds = Clamp(status.MtimeSeconds),
            DevMajor = status.RdevMajor,
            DevMinor = status.RdevMinor,
        };

        public void WriteEntry(string rel, string full, in FileStatus status)
        {
            var header = HeaderFor(status.Kind == FileKind.Directory ? rel + "/" : rel, status) with
            {
                Xattrs = TreeEntries.ContentXattrs(full),
            };
            switch (status.Kind)
            {
                case FileKind.Symlink:
                    _tar.Write(header with { LinkName = TreeEntries.ReadLink(full) }, null);
                    return;
                case FileKind.Regular when status.LinkCount > 1 && _links.TryGetValue(status.InodeKey, out var first):
                    _tar.Write(header with { TypeFlag = TarHeader.HardLink, LinkName = first, Xattrs = [] }, null);
                    return;
                case FileKind.Regular:
                    if (status.LinkCount > 1) _links[status.InodeKey] = rel;
                    using (var data = new FileStream(File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), FileAccess.Read, 0))
                        _tar.Write(header with { Size = status.Size }, data);
                    return;
                default:
                    _tar.Write(header, null);
                    return;
            }
        }

        public void WriteWhiteout(string rel, TarHeader header) => _tar.Write(header with { Name = rel, Size = 0, MtimeSeconds = Clamp(header.MtimeSeconds) }, null);

        public void Finish() => _tar.Finish();
    }
}
