using Images.Platform;

namespace Images.Drivers.Aufs;

/// <summary>
/// Keeps an aufs rw branch in pure aufs form (<c>.wh.name</c> files, <c>.wh..wh..opq</c> markers) after a mount wrote
/// it. fuse-overlayfs, which stands in for the kernel's aufs, writes its own forms into the upper dir: 0/0 character
/// device whiteouts, <c>trusted.overlay.opaque=y</c> together with a <c>.wh..wh..opq</c> file on directories it made
/// opaque (plus a 0/0 device named <c>.wh..opq</c>, i.e. a whiteout of the marker's own name), and
/// <c>user.fuseoverlayfs.*</c> bookkeeping xattrs. Kernel aufs leaves its private <c>.wh..wh.plnk</c>,
/// <c>.wh..wh.orph</c> and <c>.wh..wh.aufs</c> in the branch root. <see cref="Normalize"/> turns all of that into the
/// one form a layer of this driver is stored in, so its diff dir is its layer diff.
/// </summary>
public static class AufsBranch
{
    public const string WhiteoutPrefix = ".wh.";
    public const string OpaqueMarker = ".wh..wh..opq";

    private static readonly string[] KernelAufsPrivate = [".wh..wh.plnk", ".wh..wh.orph", ".wh..wh.aufs"];
    private static readonly string[] OpaqueXattrs = ["trusted.overlay.opaque", "user.fuseoverlayfs.opaque", "user.overlay.opaque"];

    /// <summary>Rewrites <paramref name="branch"/> (not mounted) into aufs form; idempotent.</summary>
    public static void Normalize(string branch)
    {
        foreach (string name in KernelAufsPrivate)
            Common.TreeDelete.Delete(Path.Combine(branch, name));
        NormalizeDirectory(branch);
    }

    private static void NormalizeDirectory(string directory)
    {
        bool opaque = false;
        foreach (string xattr in Files.ListXattrs(directory))
        {
            if (!IsUnionBookkeeping(xattr)) continue;
            if (OpaqueXattrs.Contains(xattr) && Files.GetXattr(directory, xattr) is [(byte)'y']) opaque = true;
            Files.RemoveXattr(directory, xattr);
        }
        if (opaque) EnsureMarker(Path.Combine(directory, OpaqueMarker));

        foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var status = Files.Lstat(entry);
            if (status is { Kind: FileKind.CharDevice, RdevMajor: 0, RdevMinor: 0 })
            {
                File.Delete(entry);
                EnsureMarker(Path.Combine(directory, WhiteoutPrefix + Path.GetFileName(entry)));
                continue;
            }
            if (status.Kind != FileKind.Directory)
            {
                foreach (string xattr in Files.ListXattrs(entry))
                    if (IsUnionBookkeeping(xattr)) Files.RemoveXattr(entry, xattr);
                continue;
            }
            NormalizeDirectory(entry);
        }
    }

    /// <summary>xattrs a union filesystem keeps for itself, never part of a layer's content.</summary>
    private static bool IsUnionBookkeeping(string xattr) =>
        xattr.StartsWith("trusted.overlay.", StringComparison.Ordinal) ||
        xattr.StartsWith("user.fuseoverlayfs.", StringComparison.Ordinal) ||
        xattr.StartsWith("user.overlay.", StringComparison.Ordinal);

    private static void EnsureMarker(string path)
    {
        if (Files.TryLstat(path, out _)) return;
        using (new FileStream(path, FileMode.CreateNew, FileAccess.Write)) { }
        Files.Chmod(path, 0x1a4 /* 0644 */);
    }
}
