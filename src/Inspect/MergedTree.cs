using Images.Archive;

namespace Images.Inspect;

/// <summary>
/// The root filesystem that layers applied in order make, kept as path facts only (memory grows with the number of
/// entries, never with their bytes). Whiteouts follow the OCI layer rules: <c>.wh.x</c> removes <c>x</c> of lower
/// layers with its subtree; <c>.wh..wh..opq</c> removes everything lower layers put in its directory.
/// </summary>
public sealed class MergedTree
{
    private readonly Node _root = new("/", null, new FileFacts(FileType.Directory, 0, 0x1ed, 0, 0), -1);

    /// <summary>One path of the tree.</summary>
    private sealed class Node(string path, Node? parent, FileFacts facts, int layer)
    {
        public string Path { get; } = path;
        public Node? Parent { get; set; } = parent;
        public FileFacts Facts { get; set; } = facts;
        public Dictionary<string, Node>? Children { get; set; } = facts.IsDirectory ? new(StringComparer.Ordinal) : null;

        /// <summary>The last layer that wrote this node or anything under it (an opaque directory keeps what its own layer wrote).</summary>
        public int Touched { get; set; } = layer;

        public string Name => Path[(Path.LastIndexOf('/') + 1)..];
    }

    /// <summary>Applies the entries of layer <paramref name="layer"/> (0 is the base); records what changed in <paramref name="changes"/> when given.</summary>
    public void Apply(IEnumerable<LayerEntry> entries, int layer, LayerChangeSet? changes = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            changes?.Count(entry);
            if (entry.Path == "/")
            {
                if (entry.Facts.IsDirectory) _root.Facts = entry.Facts;
                continue;
            }
            int slash = entry.Path.LastIndexOf('/');
            string parentPath = slash == 0 ? "/" : entry.Path[..slash];
            string name = entry.Path[(slash + 1)..];
            if (Whiteouts.IsOpaqueMarker(name))
            {
                PruneLower(EnsureDirectory(parentPath, layer, changes), layer, changes);
                continue;
            }
            if (Whiteouts.TryGetRemovedName(name, out var removed))
            {
                if (!Whiteouts.IsValidRemovedName(removed))
                    throw new InspectException($"whiteout \"{entry.Path}\" names no entry; the layer is corrupt: build or pull the image again.");
                var parent = Find(parentPath);
                if (parent?.Children is { } siblings && siblings.TryGetValue(removed, out var gone) && gone.Touched < layer)
                    Remove(gone, changes);
                continue;
            }
            if (Whiteouts.IsMeta(name)) continue; // AUFS bookkeeping, never content
            Write(EnsureDirectory(parentPath, layer, changes), name, entry, layer, changes);
        }
    }

    private void Write(Node parent, string name, LayerEntry entry, int layer, LayerChangeSet? changes)
    {
        var facts = entry.Facts;
        if (entry.HardLinkTarget is { } target)
        {
            // A hard link is the same inode as its target: same content, mode and owner.
            var linked = Find(target);
            if (linked is not null && !linked.Facts.IsDirectory) facts = linked.Facts;
        }
        if (!facts.IsDirectory) changes?.Occurrence(entry.Path, entry.HeaderSize);
        var children = parent.Children!;
        if (!children.TryGetValue(name, out var existing))
        {
            children[name] = new Node(entry.Path, parent, facts, layer);
            changes?.Record(new LayerChange(entry.Path, ChangeKind.Added, facts, entry.HeaderSize, null, entry.HardLinkTarget is not null));
            return;
        }
        var before = existing.Facts;
        if (before.IsDirectory && facts.IsDirectory)
        {
            existing.Facts = facts;
            existing.Touched = layer;
            var kind = before.SameMetadata(facts) ? ChangeKind.Unchanged : ChangeKind.Modified;
            changes?.Record(new LayerChange(entry.Path, kind, facts, 0, before));
            return;
        }
        if (before.IsDirectory)
        {
            foreach (var child in existing.Children!.Values.ToList()) Remove(child, changes);
        }
        else if (facts.IsDirectory)
        {
            changes?.RemovedFile(entry.Path); // a file replaced by a directory is gone
        }
        existing.Facts = facts;
        existing.Children = facts.IsDirectory ? new(StringComparer.Ordinal) : null;
        existing.Touched = layer;
        changes?.Record(new LayerChange(entry.Path, ChangeKind.Modified, facts, entry.HeaderSize, before, entry.HardLinkTarget is not null));
    }

    /// <summary>The directory at <paramref name="path"/>, made (and any non-directory in the way removed) as extraction would; marks the way touched.</summary>
    private Node EnsureDirectory(string path, int layer, LayerChangeSet? changes)
    {
        var node = _root;
        if (path == "/") return node;
        int start = 1;
        while (start <= path.Length)
        {
            int end = path.IndexOf('/', start);
            if (end < 0) end = path.Length;
            string name = path[start..end];
            string full = path[..end];
            if (!node.Children!.TryGetValue(name, out var child) || !child.Facts.IsDirectory)
            {
                if (child is not null) Remove(child, changes);
                child = new Node(full, node, FileFacts.ImplicitDirectory, layer);
                node.Children[name] = child;
                changes?.Record(new LayerChange(full, ChangeKind.Added, child.Facts, 0, null));
            }
            child.Touched = Math.Max(child.Touched, layer);
            node = child;
            start = end + 1;
        }
        return node;
    }

    /// <summary>Removes what lower layers have under an opaque directory, keeping what this layer wrote.</summary>
    private static void PruneLower(Node directory, int layer, LayerChangeSet? changes)
    {
        foreach (var child in directory.Children!.Values.ToList())
        {
            if (child.Touched < layer) Remove(child, changes);
            else if (child.Facts.IsDirectory) PruneLower(child, layer, changes);
        }
    }

    private static void Remove(Node node, LayerChangeSet? changes)
    {
        node.Parent!.Children!.Remove(node.Name);
        node.Parent = null;
        if (changes is null) return;
        long bytes = 0;
        var pending = new Stack<Node>();
        pending.Push(node);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (current.Children is { } children)
            {
                foreach (var child in children.Values) pending.Push(child);
            }
            else
            {
                bytes += current.Facts.Size;
                changes.RemovedFile(current.Path);
            }
        }
        changes.Record(new LayerChange(node.Path, ChangeKind.Removed, node.Facts, bytes, node.Facts));
    }

    private Node? Find(string path)
    {
        var node = _root;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node.Children is null || !node.Children.TryGetValue(part, out var child)) return null;
            node = child;
        }
        return node;
    }

    /// <summary>The facts of <paramref name="path"/>, or null when the tree has no such path.</summary>
    public FileFacts? FactsOf(string path) => Find(path)?.Facts;

    /// <summary>Every path and its facts, depth first with siblings by name (ordinal), the root first.</summary>
    public IEnumerable<(string Path, FileFacts Facts)> Entries()
    {
        var pending = new Stack<Node>();
        pending.Push(_root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            yield return (node.Path, node.Facts);
            if (node.Children is null) continue;
            foreach (var child in node.Children.Values.OrderByDescending(c => c.Name, StringComparer.Ordinal))
                pending.Push(child);
        }
    }
}
