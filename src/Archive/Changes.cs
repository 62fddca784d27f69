using Images.Core.Layers;
using Images.Platform;

namespace Images.Archive;

/// <summary>
/// What changed between two trees, as <c>docker diff</c> reports it, sorted in <see cref="PathOrder"/>.
/// An entry is Modified when its own metadata differs: kind, permissions, owner, device numbers, size (not for
/// directories), mtime, symlink target or content xattrs. Like Docker, content is not read: a file whose mtime
/// changed is reported (and belongs in the layer, whose tar carries the new mtime), one rewritten with the same
/// size and mtime is not. mtimes compare to the nanosecond unless one side has none (a tree unpacked from a tar
/// has whole seconds), then to the second. A directory is Modified only through its own metadata, typically
/// its mtime after an entry was added or removed in it. Below a deleted directory nothing more is reported;
/// below an added one, everything is Added.
/// </summary>
public static class Changes
{
    /// <summary>Compares two full trees; <paramref name="lower"/> null means an empty tree.</summary>
    public static IReadOnlyList<Change> Compute(string? lower, string upper)
    {
        string upperRoot = TreeEntries.NormalizeRoot(upper, nameof(upper));
        string? lowerRoot = lower is null ? null : TreeEntries.NormalizeRoot(lower, nameof(lower));
        var changes = new List<Change>();
        Compare(lowerRoot, upperRoot, "", changes);
        return changes;
    }

    /// <summary>
    /// Reads a native diff directory: a whiteout is Deleted, an entry that <paramref name="lower"/> (the parent's
    /// full tree, null for none) has is Modified, others Added. An opaque directory also reports each lower entry it
    /// hides (and does not itself hold) as Deleted.
    /// </summary>
    public static IReadOnlyList<Change> FromDiffDirectory(string directory, WhiteoutFormat format, string? lower)
    {
        string root = TreeEntries.NormalizeRoot(directory, nameof(directory));
        string? lowerRoot = lower is null ? null : TreeEntries.NormalizeRoot(lower, nameof(lower));
        var changes = new List<Change>();
        ReadDiff(root, lowerRoot, "", format, inLower: lowerRoot is not null, changes);
        changes.Sort((a, b) => PathOrder.Instance.Compare(a.Path, b.Path));
        return changes;
    }

    private static void Compare(string? lowerRoot, string upperRoot, string rel, List<Change> changes)
    {
        var upperNames = TreeEntries.SortedNames(TreeEntries.Full(upperRoot, rel));
        var lowerNames = lowerRoot is null ? [] : TreeEntries.SortedNames(TreeEntries.Full(lowerRoot, rel));
        int i = 0, j = 0;
        while (i < lowerNames.Count || j < upperNames.Count)
        {
            int order = i == lowerNames.Count ? 1 : j == upperNames.Count ? -1 : PathOrder.CompareNames(lowerNames[i], upperNames[j]);
            if (order < 0)
            {
                changes.Add(new Change("/" + TreeEntries.Join(rel, lowerNames[i++]), ChangeKind.Deleted));
                continue;
            }
            string childRel = TreeEntries.Join(rel, upperNames[j++]);
            string upperFull = upperRoot + "/" + childRel;
            var upperStatus = Files.Lstat(upperFull);
            if (order > 0)
            {
                AddAll(upperRoot, childRel, upperStatus, changes);
                continue;
            }
            i++;
            string lowerFull = lowerRoot + "/" + childRel;
            var lowerStatus = Files.Lstat(lowerFull);
            bool same = SameMetadata(lowerFull, lowerStatus, upperFull, upperStatus);
            if (!same) changes.Add(new Change("/" + childRel, ChangeKind.Modified));
            if (upperStatus.Kind != FileKind.Directory) continue;
            if (lowerStatus.Kind == FileKind.Directory) Compare(lowerRoot, upperRoot, childRel, changes);
            else Compare(null, upperRoot, childRel, changes);
        }
    }

    private static void AddAll(string root, string rel, in FileStatus status, List<Change> changes)
    {
        changes.Add(new Change("/" + rel, ChangeKind.Added));
        if (status.Kind != FileKind.Directory) return;
        foreach (var name in TreeEntries.SortedNames(root + "/" + rel))
        {
            string childRel = rel + "/" + name;
            AddAll(root, childRel, Files.Lstat(root + "/" + childRel), changes);
        }
    }

    private static bool SameMetadata(string lowerPath, in FileStatus lower, string upperPath, in FileStatus upper) =>
        lower.Kind == upper.Kind
        && lower.Permissions == upper.Permissions
        && lower.Uid == upper.Uid
        && lower.Gid == upper.Gid
        && lower.RdevMajor == upper.RdevMajor && lower.RdevMinor == upper.RdevMinor
        && (lower.Kind == FileKind.Directory || lower.Size == upper.Size)
        && SameMtime(lower, upper)
        && (lower.Kind != FileKind.Symlink || TreeEntries.ReadLink(lowerPath) == TreeEntries.ReadLink(upperPath))
        && SameXattrs(TreeEntries.ContentXattrs(lowerPath), TreeEntries.ContentXattrs(upperPath));

    private static bool SameMtime(in FileStatus a, in FileStatus b) =>
        a.MtimeSeconds == b.MtimeSeconds
        && (a.MtimeNanoseconds == 0 || b.MtimeNanoseconds == 0 || a.MtimeNanoseconds == b.MtimeNanoseconds);

    private static bool SameXattrs(List<KeyValuePair<string, byte[]>> a, List<KeyValuePair<string, byte[]>> b)
    {
        if (a.Count != b.Count) return false;
        for (int k = 0; k < a.Count; k++)
            if (a[k].Key != b[k].Key || !a[k].Value.AsSpan().SequenceEqual(b[k].Value)) return false;
        return true;
    }

    /// <summary>
    /// Whether a directory of a native diff is there only because something below it changed: its metadata is the
    /// lower's and nothing directly in it was added or removed (which would have been a change of its own). The
    /// aufs driver's fuse-overlayfs does not keep a copied-up directory's mtime, so for aufs the mtime is not compared.
    /// </summary>
    private static bool CopiedUp(string lowerPath, in FileStatus lower, string upperPath, in FileStatus upper, WhiteoutFormat format)
    {
        bool same = format == WhiteoutFormat.Aufs
            ? lower.Kind == FileKind.Directory && lower.Permissions == upper.Permissions && lower.Uid == upper.Uid && lower.Gid == upper.Gid
              && SameXattrs(TreeEntries.ContentXattrs(lowerPath), TreeEntries.ContentXattrs(upperPath))
            : SameMetadata(lowerPath, lower, upperPath, upper);
        if (!same) return false;
        foreach (var name in TreeEntries.SortedNames(upperPath))
        {
            if (Whiteouts.IsOpaqueMarker(name) || Whiteouts.TryGetRemovedName(name, out _) || !Files.TryLstat(lowerPath + "/" + name, out _))
                return false;
            if (format == WhiteoutFormat.Overlay && Whiteouts.IsOverlayWhiteout(Files.Lstat(upperPath + "/" + name))) return false;
        }
        return true;
    }

    private static void ReadDiff(string root, string? lowerRoot, string rel, WhiteoutFormat format, bool inLower, List<Change> changes)
    {
        string directory = TreeEntries.Full(root, rel);
        var present = new HashSet<string>(StringComparer.Ordinal);
        bool opaque = format == WhiteoutFormat.Overlay && rel.Length > 0 && Whiteouts.IsOverlayOpaque(directory);
        foreach (var name in TreeEntries.SortedNames(directory))
        {
            string childRel = TreeEntries.Join(rel, name);
            var status = Files.Lstat(directory + "/" + name);
            if (format == WhiteoutFormat.Aufs && Whiteouts.IsOpaqueMarker(name)) { opaque = true; continue; }
            if (format == WhiteoutFormat.Aufs && Whiteouts.IsMeta(name)) continue;
            if (format == WhiteoutFormat.Aufs && Whiteouts.TryGetRemovedName(name, out var removed))
            {
                changes.Add(new Change("/" + TreeEntries.Join(rel, removed), ChangeKind.Deleted));
                present.Add(removed);
                continue;
            }
            present.Add(name);
            if (format == WhiteoutFormat.Overlay && Whiteouts.IsOverlayWhiteout(status))
            {
                changes.Add(new Change("/" + childRel, ChangeKind.Deleted));
                continue;
            }
            FileStatus lowerStatus = default;
            bool childInLower = inLower && Files.TryLstat(lowerRoot + "/" + childRel, out lowerStatus);
            // A directory copied up only because something below it changed (overlay, aufs) is not itself a change:
            // leaving it out makes a native diff name what comparing the trees names.
            bool copiedUp = childInLower && status.Kind == FileKind.Directory
                && !(format == WhiteoutFormat.Overlay && Whiteouts.IsOverlayOpaque(directory + "/" + name))
                && !(format == WhiteoutFormat.Aufs && File.Exists(directory + "/" + name + "/" + Whiteouts.OpaqueMarker))
                && CopiedUp(lowerRoot + "/" + childRel, lowerStatus, directory + "/" + name, status, format);
            if (!copiedUp) changes.Add(new Change("/" + childRel, childInLower ? ChangeKind.Modified : ChangeKind.Added));
            if (status.Kind == FileKind.Directory) ReadDiff(root, lowerRoot, childRel, format, childInLower, changes);
        }
        if (!opaque || !inLower || !Directory.Exists(TreeEntries.Full(lowerRoot!, rel))) return;
        foreach (var hidden in TreeEntries.SortedNames(TreeEntries.Full(lowerRoot!, rel)))
            if (!present.Contains(hidden)) changes.Add(new Change("/" + TreeEntries.Join(rel, hidden), ChangeKind.Deleted));
    }
}
