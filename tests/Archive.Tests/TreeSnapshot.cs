using System.Security.Cryptography;
using Images.Platform;

namespace Images.Archive.Tests;

/// <summary>
/// Everything a layer must preserve of a tree, one line per entry (sorted): kind, permissions, owner, size,
/// content hash, symlink target, device numbers, hard-link group, xattrs and mtime (whole seconds, as tars carry).
/// </summary>
public static class TreeSnapshot
{
    public static List<string> Of(string root, bool withDirectoryMtimes = true)
    {
        var lines = new List<string>();
        var firstPathOfInode = new Dictionary<(ulong, ulong), string>();
        var paths = Scratch.Walk(root)
            .Select(p => p[(root.Length + 1)..]).Order(StringComparer.Ordinal).ToList();
        foreach (var rel in paths)
        {
            string full = Path.Combine(root, rel);
            var s = Files.Lstat(full);
            string group = "";
            if (s.Kind == FileKind.Regular && s.LinkCount > 1)
            {
                if (!firstPathOfInode.TryGetValue(s.InodeKey, out var first)) firstPathOfInode[s.InodeKey] = first = rel;
                group = " links=" + first;
            }
            string content = s.Kind == FileKind.Regular ? " sha=" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(full)))[..16] : "";
            string link = s.Kind == FileKind.Symlink ? " -> " + new FileInfo(full).LinkTarget : "";
            string dev = s.Kind is FileKind.CharDevice or FileKind.BlockDevice ? $" dev={s.RdevMajor},{s.RdevMinor}" : "";
            string xattrs = string.Concat(Files.ListXattrs(full).Select(n => $" {n}={Convert.ToHexString(Files.GetXattr(full, n) ?? [])}"));
            string mtime = s.Kind != FileKind.Directory || withDirectoryMtimes ? $" mtime={s.MtimeSeconds}" : "";
            string size = s.Kind == FileKind.Regular ? $" size={s.Size}" : "";
            lines.Add($"{rel} {s.Kind} {Convert.ToString(s.Permissions, 8)} {s.Uid}:{s.Gid}{size}{content}{link}{dev}{group}{xattrs}{mtime}");
        }
        return lines;
    }
}
