using System.IO.Enumeration;
using Images.Platform;

namespace Images.Archive;

/// <summary>Reading a tree: directory listings in <see cref="PathOrder"/>, symlink targets and xattrs of single entries.</summary>
internal static class TreeEntries
{
    private static readonly EnumerationOptions Listing = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>The names in <paramref name="directory"/>, sorted.</summary>
    public static List<string> SortedNames(string directory)
    {
        var names = new List<string>(new FileSystemEnumerable<string>(
            directory, (ref FileSystemEntry e) => e.FileName.ToString(), Listing));
        names.Sort(PathOrder.CompareNames);
        return names;
    }

    public static string ReadLink(string path) =>
        new FileInfo(path).LinkTarget ?? throw new IOException($"readlink {path}: not a symbolic link");

    /// <summary>The xattrs that are content (everything but overlayfs' own trusted.overlay.*), sorted by name.</summary>
    public static List<KeyValuePair<string, byte[]>> ContentXattrs(string path)
    {
        var names = Files.ListXattrs(path);
        var result = new List<KeyValuePair<string, byte[]>>(names.Count);
        foreach (var name in names)
        {
            if (name.StartsWith(Whiteouts.OverlayXattrPrefix, StringComparison.Ordinal)) continue;
            if (Files.GetXattr(path, name) is { } value) result.Add(new(name, value));
        }
        return result;
    }

    public static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    public static string Full(string root, string rel) => rel.Length == 0 ? root : root + "/" + rel;

    /// <summary>Splits a relative path into its parent ("" for top level) and last component.</summary>
    public static (string Parent, string Name) Split(string rel)
    {
        int slash = rel.LastIndexOf('/');
        return slash < 0 ? ("", rel) : (rel[..slash], rel[(slash + 1)..]);
    }

    /// <summary>The root directory as an absolute path without trailing slash.</summary>
    public static string NormalizeRoot(string directory, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory, parameter);
        string full = Path.GetFullPath(directory).TrimEnd('/');
        if (full.Length == 0) throw new ArgumentException("the root filesystem '/' cannot be a layer directory", parameter);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"directory {full} does not exist");
        return full;
    }
}
