using Images.Platform;

namespace Images.Archive;

/// <summary>
/// Resolves directory paths inside a root the way a chroot would: every component is looked up with lstat, a
/// symlink is followed with its target taken relative to the root (an absolute target restarts at the root,
/// <c>..</c> stops at the root), so no path ever leaves the root. Directories already proven real are cached;
/// <see cref="Forget"/> drops the cache when an entry that could be one of them is removed.
/// </summary>
public sealed class RootedResolver(string root)
{
    private const int MaxSymlinks = 40; // Linux's limit

    private readonly HashSet<string> _directories = new(StringComparer.Ordinal) { "" };

    public string Root => root;

    /// <summary>Called with (relative, full path) after a missing directory was created.</summary>
    public Action<string, string>? DirectoryCreated { get; init; }

    /// <summary>
    /// The real (symlink-free) relative path of directory <paramref name="rel"/>; missing directories are created
    /// (0755) when <paramref name="create"/>, else the result is null.
    /// </summary>
    public string? ResolveDirectory(string rel, bool create, string entry)
    {
        if (_directories.Contains(rel)) return rel;
        var done = new List<string>();
        var todo = new Stack<string>(rel.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        int links = 0;
        while (todo.Count > 0)
        {
            string component = todo.Pop();
            if (component == ".") continue;
            if (component == "..")
            {
                if (done.Count > 0) done.RemoveAt(done.Count - 1);
                continue;
            }
            string candidate = done.Count == 0 ? component : string.Join('/', done) + "/" + component;
            if (_directories.Contains(candidate))
            {
                done.Add(component);
                continue;
            }
            string full = root + "/" + candidate;
            if (!Files.TryLstat(full, out var status))
            {
                if (!create) return null;
                Directory.CreateDirectory(full);
                Files.Chmod(full, 0x1ed); // 0755 whatever the umask, as Docker does for implied parents
                DirectoryCreated?.Invoke(candidate, full);
                status = Files.Lstat(full);
            }
            switch (status.Kind)
            {
                case FileKind.Directory:
                    _directories.Add(candidate);
                    done.Add(component);
                    break;
                case FileKind.Symlink:
                    if (++links > MaxSymlinks)
                        throw ArchiveException.ForEntry(entry, $"too many levels of symbolic links resolving '{rel}'");
                    string target = TreeEntries.ReadLink(full);
                    if (target.StartsWith('/')) done.Clear();
                    foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) todo.Push(part);
                    break;
                default:
                    throw ArchiveException.ForEntry(entry, $"'{candidate}' is not a directory, so nothing can be put under it");
            }
        }
        return string.Join('/', done);
    }

    /// <summary>Resolves the parent of <paramref name="rel"/> and joins the (never followed) last component.</summary>
    public string? ResolveEntry(string rel, bool create, string entry)
    {
        var (parent, name) = TreeEntries.Split(rel);
        string? resolved = ResolveDirectory(parent, create, entry);
        return resolved is null ? null : TreeEntries.Join(resolved, name);
    }

    public string Full(string rel) => TreeEntries.Full(root, rel);

    public void Forget()
    {
        _directories.Clear();
        _directories.Add("");
    }
}
