using System.Diagnostics.CodeAnalysis;
using Images.Platform;

namespace Images.Archive;

/// <summary>
/// The whiteout conventions: in a layer tar (OCI/AUFS form) <c>.wh.name</c> removes <c>name</c> of lower layers and
/// <c>.wh..wh..opq</c> hides everything lower layers have in its directory; overlayfs keeps a removed entry as a
/// 0/0 character device and an opaque directory as <c>trusted.overlay.opaque=y</c>.
/// </summary>
public static class Whiteouts
{
    public const string Prefix = ".wh.";

    /// <summary>Names starting with this are AUFS bookkeeping (<c>.wh..wh.plnk</c>, ...), never content.</summary>
    public const string MetaPrefix = ".wh..wh.";

    public const string OpaqueMarker = ".wh..wh..opq";

    public const string OverlayOpaqueXattr = "trusted.overlay.opaque";

    /// <summary>Xattrs overlayfs keeps for itself; they are never part of a layer's content.</summary>
    public const string OverlayXattrPrefix = "trusted.overlay.";

    /// <summary>Permissions of the whiteout files this code writes.</summary>
    internal const uint EntryMode = 0x180; // 0600

    /// <summary>The whiteout file name that removes <paramref name="name"/>.</summary>
    public static string NameFor(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/') || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a single entry name", nameof(name));
        return Prefix + name;
    }

    public static bool IsOpaqueMarker(string name) => name == OpaqueMarker;

    /// <summary>AUFS bookkeeping names other than the opaque marker.</summary>
    public static bool IsMeta(string name) => name.StartsWith(MetaPrefix, StringComparison.Ordinal) && name != OpaqueMarker;

    /// <summary>
    /// True when <paramref name="name"/> is a <c>.wh.</c> whiteout (not the opaque marker or AUFS bookkeeping);
    /// <paramref name="removed"/> is the name it removes. A whiteout naming nothing, <c>.</c>, <c>..</c> or a path
    /// is reported through <paramref name="removed"/> as is: callers reject it.
    /// </summary>
    public static bool TryGetRemovedName(string name, [NotNullWhen(true)] out string? removed)
    {
        removed = null;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.StartsWith(MetaPrefix, StringComparison.Ordinal))
            return false;
        removed = name[Prefix.Length..];
        return true;
    }

    /// <summary>Whether <paramref name="removed"/> (from <see cref="TryGetRemovedName"/>) names one real entry.</summary>
    public static bool IsValidRemovedName(string removed) =>
        removed.Length > 0 && removed is not ("." or "..") && !removed.Contains('/') && !removed.Contains('\0');

    /// <summary>overlayfs' whiteout: a character device 0/0.</summary>
    public static bool IsOverlayWhiteout(in FileStatus status) =>
        status.Kind == FileKind.CharDevice && status.RdevMajor == 0 && status.RdevMinor == 0;

    /// <summary>Creates overlayfs' whiteout for a removed entry at <paramref name="path"/> (which must not exist).</summary>
    public static void CreateOverlayWhiteout(string path) => Files.Mknod(path, Files.S_IFCHR, 0, 0);

    public static bool IsOverlayOpaque(string directory) =>
        Files.GetXattr(directory, OverlayOpaqueXattr) is [(byte)'y'];

    public static void MarkOverlayOpaque(string directory) => Files.SetXattr(directory, OverlayOpaqueXattr, "y"u8);
}
