using System.Globalization;
using System.Text;
using Images.Core.Digests;
using Images.Platform;

namespace Images.Builder.Context;

/// <summary>
/// A build context: a directory and the <c>.dockerignore</c> rules saying what of it the build may see. Walks
/// the sent entries in a stable order, resolves COPY/ADD source wildcards and computes the checksum the build
/// cache keys COPY and ADD on. Nothing here follows a symlink or reads outside the root.
/// </summary>
public sealed class BuildContext
{
    public BuildContext(string rootDirectory, DockerIgnore ignore)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentNullException.ThrowIfNull(ignore);
        Root = Path.GetFullPath(rootDirectory);
        if (!Directory.Exists(Root))
        {
            throw new DirectoryNotFoundException($"build context \"{Root}\" is not a directory: pass the directory holding the files the recipe copies");
        }
        Ignore = ignore;
    }

    /// <summary>The absolute path of the context's root directory.</summary>
    public string Root { get; }

    public DockerIgnore Ignore { get; }

    /// <summary>
    /// The context at <paramref name="rootDirectory"/> with its ignore rules: <c>&lt;recipe&gt;.dockerignore</c> next to
    /// the recipe when it exists (as BuildKit), else <c>.dockerignore</c> at the root. The recipe and the
    /// ignore file are sent even if the rules exclude them.
    /// </summary>
    public static BuildContext Open(string rootDirectory, string recipePath = "Dockerfile")
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentException.ThrowIfNullOrEmpty(recipePath);
        string root = Path.GetFullPath(rootDirectory);
        string recipe = Path.GetFullPath(recipePath, root);
        string specific = recipe + DockerIgnore.FileName;
        string general = Path.Combine(root, DockerIgnore.FileName);
        string? file = File.Exists(specific) ? specific : File.Exists(general) ? general : null;
        var ignore = file is null ? DockerIgnore.Empty : DockerIgnore.Parse(File.ReadAllText(file));
        var alwaysSent = new List<string> { DockerIgnore.FileName };
        string recipeInContext = Path.GetRelativePath(root, recipe).Replace(Path.DirectorySeparatorChar, '/');
        if (!recipeInContext.StartsWith("../", StringComparison.Ordinal) && recipeInContext != "..")
        {
            alwaysSent.Add(recipeInContext);
        }
        return new BuildContext(root, ignore.WithAlwaysSent([.. alwaysSent]));
    }

    /// <summary>The absolute path of a context-relative path; a path leading out of the context is an error.</summary>
    public string FullPath(string relativePath)
    {
        string cleaned = Relative(relativePath);
        return cleaned == "." ? Root : Path.Combine(Root, cleaned);
    }

    /// <summary>True when the path is sent to the build (not excluded by the ignore rules).</summary>
    public bool IsSent(string relativePath) => !Ignore.IsExcluded(Relative(relativePath));

    /// <summary>
    /// The sent entries under <paramref name="relativeDirectory"/> (itself excluded), depth first, names in
    /// ordinal order, a directory before its contents. An excluded directory is listed only when an exception
    /// re-includes something inside it.
    /// </summary>
    public IReadOnlyList<ContextEntry> Walk(string relativeDirectory = ".")
    {
        var entries = new List<ContextEntry>();
        Visit(Relative(relativeDirectory), entries, descend: null);
        return entries;
    }

    /// <summary>
    /// The sent paths a COPY/ADD source names: itself when it has no wildcard (if it exists and is sent), else
    /// every sent entry matching it with Go <c>filepath.Match</c> rules, in walk order. Empty when nothing matches.
    /// </summary>
    public IReadOnlyList<string> Glob(string source)
    {
        string cleaned = Relative(source);
        if (!PathPattern.HasWildcard(cleaned))
        {
            return Files.TryLstat(FullPath(cleaned), out _) && IsSent(cleaned) ? [cleaned] : [];
        }
        var pattern = PathPattern.Create(cleaned, allowDoubleStar: false);
        var entries = new List<ContextEntry>();
        Visit(".", entries, descend: pattern.MayMatchUnder);
        return entries.Where(e => pattern.Matches(e.Path)).Select(e => e.Path).ToList();
    }

    /// <summary>
    /// A digest of what COPY would take from <paramref name="relativePath"/>: for each sent entry (the path itself
    /// as ".", then its contents in walk order) its name, type, permissions, owner, size, link target, device
    /// numbers and xattrs, and a regular file's bytes. Modification times are left out, so touching a file does
    /// not invalidate the cache; changing its content, mode or owner does.
    /// </summary>
    public Digest Checksum(string relativePath)
    {
        string cleaned = Relative(relativePath);
        string full = FullPath(cleaned);
        if (!Files.TryLstat(full, out var status) || !IsSent(cleaned))
        {
            throw new FileNotFoundException(
                $"\"{cleaned}\" is not in the build context (missing, or excluded by {DockerIgnore.FileName}); check the path or the ignore rules", full);
        }
        using var hasher = DigestHasher.Create();
        Append(hasher, ".", full, status);
        if (status.Kind == FileKind.Directory)
        {
            int prefix = cleaned == "." ? 0 : cleaned.Length + 1;
            foreach (var entry in Walk(cleaned))
            {
                Append(hasher, entry.Path[prefix..], FullPath(entry.Path), entry.Status);
            }
        }
        return hasher.Finish();
    }

    private static string Relative(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string cleaned = ContextPath.Relative(path);
        if (cleaned == ".." || cleaned.StartsWith("../", StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{path}\" is outside the build context: sources must be inside the context directory", nameof(path));
        }
        return cleaned;
    }

    /// <summary>Adds the sent entries under <paramref name="directory"/> to <paramref name="into"/>; returns whether it added any.</summary>
    private bool Visit(string directory, List<ContextEntry> into, Func<string, bool>? descend)
    {
        string full = FullPath(directory);
        var names = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        bool added = false;
        foreach (string? name in names)
        {
            string path = directory == "." ? name! : directory + "/" + name;
            string entryPath = Path.Combine(full, name!);
            var status = Files.Lstat(entryPath);
            bool excluded = Ignore.IsExcluded(path);
            var entry = new ContextEntry(path, status, status.Kind == FileKind.Symlink ? new FileInfo(entryPath).LinkTarget : null);
            if (status.Kind != FileKind.Directory)
            {
                if (!excluded)
                {
                    into.Add(entry);
                    added = true;
                }
                continue;
            }
            if (excluded && Ignore.CanSkipDirectory(path))
            {
                continue;
            }
            int at = into.Count;
            if (!excluded)
            {
                into.Add(entry);
            }
            bool inside = (descend is null || descend(path)) && Visit(path, into, descend);
            if (excluded && inside)
            {
                // Re-included contents need their directory.
                into.Insert(at, entry);
            }
            added |= inside || !excluded;
        }
        return added;
    }

    private static void Append(DigestHasher hasher, string name, string fullPath, FileStatus status)
    {
        var header = new StringBuilder();
        header.Append(name).Append('\0')
            .Append(status.Kind).Append('\0')
            .Append(Convert.ToString(status.Permissions, 8)).Append('\0')
            .Append(status.Uid.ToString(CultureInfo.InvariantCulture)).Append(':').Append(status.Gid.ToString(CultureInfo.InvariantCulture)).Append('\0')
            .Append(status.Kind == FileKind.Regular ? status.Size.ToString(CultureInfo.InvariantCulture) : "0").Append('\0');
        if (status.Kind == FileKind.Symlink)
        {
            header.Append(new FileInfo(fullPath).LinkTarget);
        }
        header.Append('\0');
        if (status.Kind is FileKind.CharDevice or FileKind.BlockDevice)
        {
            header.Append(status.RdevMajor).Append(',').Append(status.RdevMinor);
        }
        header.Append('\0');
        foreach (string xattr in Files.ListXattrs(fullPath))
        {
            header.Append(xattr).Append('=').Append(Convert.ToBase64String(Files.GetXattr(fullPath, xattr) ?? [])).Append('\0');
        }
        header.Append('\n');
        hasher.Append(Encoding.UTF8.GetBytes(header.ToString()));
        if (status.Kind == FileKind.Regular)
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
    }
}
