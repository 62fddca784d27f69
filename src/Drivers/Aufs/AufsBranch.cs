using Images.Platform;

namespace Images.Drivers.Aufs;

/// <summary>
/// Keeps an aufs rw branch in pure aufs form (<c>.wh.name</c> files, <c>.wh..wh..opq</c> markers) after a mount wrote
/// it. fuse-overlayfs, which stands in for the kernel's aufs, writes its own forms into the upper dir: 0/0 character
/// device whiteouts; on every directory it creates, <c>trusted.overlay.opaque=y</c> plus a <c>.wh..wh..opq</c> file
/// plus a 0/0 device named <c>.wh..opq</c> (a whiteout of the marker's own name); and <c>user.fuseoverlayfs.*</c>
/// bookkeeping xattrs on copied-up entries. Kernel aufs leaves its private <c>.wh..wh.plnk</c>, <c>.wh..wh.orph</c>
/// and <c>.wh..wh.aufs</c> in the branch root. <see cref="Normalize"/> turns all of that into the one form a layer of
/// this driver is stored in, so its diff dir is its layer diff: whiteout files, and opaque markers only on
/// directories that exist below (an opaque brand-new directory hides nothing, and a tree comparison would not
/// report one either).
/// </summary>
public static class AufsBranch
{
    public const string WhiteoutPrefix = ".wh.";
    public const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>fuse-overlayfs' whiteout of the opaque marker's name, one more sign of an opaque directory.</summary>
    private const string FuseOpaqueWhiteout = ".wh..opq";

    private static readonly string[] KernelAufsPrivate = [".wh..wh.plnk", ".wh..wh.orph", ".wh..wh.aufs"];
    private static readonly string[] OpaqueXattrs = ["trusted.overlay.opaque", "user.fuseoverlayfs.opaque", "user.overlay.opaque"];

    /// <summary>
    /// Rewrites <paramref name="branch"/> (not mounted) into aufs form; <paramref name="lowerBranches"/> are the
    /// ancestors' branches (which decide whether an opaque marker hides anything). Idempotent.
    /// </summary>
    public static void Normalize(string branch, IReadOnlyList<string> lowerBranches)
    {
        ArgumentNullException.ThrowIfNull(lowerBranches);
        foreach (string name in KernelAufsPrivate)
            Common.TreeDelete.Delete(Path.Combine(branch, name));
        NormalizeDirectory(branch, "", lowerBranches);
    }

    private static void NormalizeDirectory(string directory, string relative, IReadOnlyList<string> lowers)
    {
        bool opaque = false;
        foreach (string xattr in Files.ListXattrs(directory))
        {
            if (!IsUnionBookkeeping(xattr)) continue;
            if (OpaqueXattrs.Contains(xattr) && Files.GetXattr(directory, xattr) is [(byte)'y']) opaque = true;
            Files.RemoveXattr(directory, xattr);
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
        {
            string name = Path.GetFileName(entry);
            var status = Files.Lstat(entry);
            if (status is { Kind: FileKind.CharDevice, RdevMajor: 0, RdevMinor: 0 })
            {
                File.Delete(entry);
                if (name == FuseOpaqueWhiteout) opaque = true;
                else EnsureMarker(Path.Combine(directory, WhiteoutPrefix + name));
                continue;
            }
            if (name == OpaqueMarker)
            {
                opaque = true;
                continue;
            }
            if (status.Kind == FileKind.Directory)
            {
                NormalizeDirectory(entry, relative.Length == 0 ? name : relative + "/" + name, lowers);
                continue;
            }
            foreach (string xattr in Files.ListXattrs(entry))
                if (IsUnionBookkeeping(xattr)) Files.RemoveXattr(entry, xattr);
        }

        string marker = Path.Combine(directory, OpaqueMarker);
        if (opaque && ExistsBelow(relative, lowers)) EnsureMarker(marker);
        else if (Files.TryLstat(marker, out _)) File.Delete(marker);
    }

    /// <summary>Whether a lower branch has a directory at <paramref name="relative"/> for an opaque marker to hide.</summary>
    private static bool ExistsBelow(string relative, IReadOnlyList<string> lowers) =>
        relative.Length == 0 ||
        lowers.Any(lower => Files.TryLstat(Path.Combine(lower, relative), out var s) && s.Kind == FileKind.Directory);

    /// <summary>xattrs a union filesystem keeps for itself, never part of a layer's content.</summary>
    private static bool IsUnionBookkeeping(string xattr) =>
        xattr.StartsWith("trusted.overlay.", StringComparison.Ordinal) ||
        xattr.StartsWith("user.fuseoverlayfs.", StringComparison.Ordinal) ||
        xattr.StartsWith("user.overlay.", StringComparison.Ordinal);

    /// <summary>
    /// Creates an empty whiteout or marker file, or gives an existing one (fuse-overlayfs makes its markers 0700) mode
    /// 0600, as the archive code writes them.
    /// </summary>
    private static void EnsureMarker(string path)
    {
        if (Files.TryLstat(path, out var existing))
        {
            if (existing.Kind == FileKind.Regular && existing.Permissions != 0x180) Files.Chmod(path, 0x180);
            return;
        }
        using (new FileStream(path, FileMode.CreateNew, FileAccess.Write)) { }
        Files.Chmod(path, 0x180 /* 0600 */);
    }
}
