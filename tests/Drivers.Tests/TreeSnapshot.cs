using System.Security.Cryptography;
using System.Text;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>
/// Everything a test compares about a directory tree, one line per entry: path, kind, permission bits, owner, size
/// and sha256 of regular files, symlink target, device numbers, xattrs (except overlayfs' own <c>trusted.overlay.*</c>)
/// and hard-link groups (named by the group's first path, so two trees with the same links compare equal).
/// Modification times are left out: copies and applies legitimately differ in them.
/// Two snapshots compare with <c>Assert.Equal</c> (the failure shows both listings) or <see cref="AssertEqual"/>
/// (the failure shows only the differing lines). Self-contained: other test projects link this file.
/// </summary>
public sealed class TreeSnapshot : IEquatable<TreeSnapshot>
{
    private TreeSnapshot(IReadOnlyList<string> lines) => Lines = lines;

    /// <summary>One line per entry, sorted by path; the root is <c>/</c>.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>Snapshots the tree under <paramref name="root"/> without following symlinks.</summary>
    public static TreeSnapshot Of(string root)
    {
        var entries = new List<(string Path, string Full, FileStatus Status)>();
        Walk(Path.GetFullPath(root), "/", entries);
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));

        // Hard-link groups among the entries of this tree: the group is named by its first path.
        var groups = new Dictionary<(ulong, ulong), List<string>>();
        foreach (var e in entries)
            if (e.Status.Kind != FileKind.Directory && e.Status.LinkCount > 1)
            {
                if (!groups.TryGetValue(e.Status.InodeKey, out var members)) groups[e.Status.InodeKey] = members = [];
                members.Add(e.Path);
            }

        var lines = new List<string>(entries.Count);
        foreach (var (path, full, s) in entries)
        {
            var line = new StringBuilder();
            line.Append(path).Append(' ').Append(s.Kind.ToString().ToLowerInvariant())
                .Append(" mode=").Append(Convert.ToString(s.Permissions, 8).PadLeft(4, '0'))
                .Append(" owner=").Append(s.Uid).Append(':').Append(s.Gid);
            switch (s.Kind)
            {
                case FileKind.Regular:
                    line.Append(" size=").Append(s.Size).Append(" sha256=").Append(Sha256(full));
                    break;
                case FileKind.Symlink:
                    line.Append(" -> ").Append(new FileInfo(full).LinkTarget);
                    break;
                case FileKind.CharDevice or FileKind.BlockDevice:
                    line.Append(" rdev=").Append(s.RdevMajor).Append(',').Append(s.RdevMinor);
                    break;
            }
            if (groups.TryGetValue(s.InodeKey, out var group) && group.Count > 1 && s.Kind != FileKind.Directory)
                line.Append(" linkgroup=").Append(group[0]);
            foreach (string name in Files.ListXattrs(full))
            {
                if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal)) continue;
                line.Append(" xattr:").Append(name).Append('=').Append(Format(Files.GetXattr(full, name) ?? []));
            }
            lines.Add(line.ToString());
        }
        return new TreeSnapshot(lines);
    }

    private static void Walk(string full, string path, List<(string, string, FileStatus)> entries)
    {
        var status = Files.Lstat(full);
        entries.Add((path, full, status));
        if (status.Kind != FileKind.Directory) return;
        foreach (string child in Directory.EnumerateFileSystemEntries(full))
        {
            string name = Path.GetFileName(child);
            Walk(child, path == "/" ? "/" + name : path + "/" + name, entries);
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    // Printable values as text, anything else as hex.
    private static string Format(byte[] value) =>
        value.All(b => b >= 0x20 && b < 0x7f) ? "\"" + Encoding.ASCII.GetString(value) + "\"" : "0x" + Convert.ToHexStringLower(value);

    /// <summary>The line of <paramref name="path"/> (e.g. <c>/etc/passwd</c>), or null when the tree has no such entry.</summary>
    public string? LineOf(string path) => Lines.FirstOrDefault(l => l.StartsWith(path + " ", StringComparison.Ordinal));

    public IEnumerable<string> Paths => Lines.Select(l => l[..l.IndexOf(' ')]);

    /// <summary>Lines only in this snapshot (-) and only in <paramref name="other"/> (+); empty when equal.</summary>
    public string DifferenceFrom(TreeSnapshot other)
    {
        var mine = new HashSet<string>(Lines, StringComparer.Ordinal);
        var theirs = new HashSet<string>(other.Lines, StringComparer.Ordinal);
        var diff = new StringBuilder();
        foreach (string line in Lines.Where(l => !theirs.Contains(l))) diff.Append("- ").AppendLine(line);
        foreach (string line in other.Lines.Where(l => !mine.Contains(l))) diff.Append("+ ").AppendLine(line);
        return diff.ToString();
    }

    /// <summary>Fails with the differing lines (- expected, + actual) when the two trees differ.</summary>
    public static void AssertEqual(TreeSnapshot expected, TreeSnapshot actual)
    {
        string diff = expected.DifferenceFrom(actual);
        if (diff.Length > 0) Assert.Fail("trees differ (- expected, + actual):\n" + diff);
    }

    public bool Equals(TreeSnapshot? other) => other is not null && Lines.SequenceEqual(other.Lines, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as TreeSnapshot);

    public override int GetHashCode() => Lines.Count == 0 ? 0 : Lines[^1].GetHashCode(StringComparison.Ordinal);

    public override string ToString() => string.Join('\n', Lines);
}
