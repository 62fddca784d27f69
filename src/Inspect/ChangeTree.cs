namespace Images.Inspect;

/// <summary>
/// One line of a layer's change tree. <see cref="Change"/> is null for a directory shown only because changes lie
/// below it. <see cref="Bytes"/> is the entry's own size for a file, and the bytes of every change below (itself
/// included) for a directory. <see cref="HiddenChanges"/> counts the changes below that <c>--depth</c> folded into it.
/// </summary>
public sealed record ChangeRow(string Path, int Depth, LayerChange? Change, long Bytes, int HiddenChanges)
{
    public string Name => Path == "/" ? "/" : Path[(Path.LastIndexOf('/') + 1)..];
}

/// <summary>Lays a layer's changes out as a tree, optionally folded at a depth and without unchanged entries.</summary>
public static class ChangeTree
{
    private sealed class Node(string path, int depth)
    {
        public string Path { get; } = path;
        public int Depth { get; } = depth;
        public LayerChange? Change { get; set; }
        public SortedDictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);
        public long Bytes { get; set; }
        public int Changes { get; set; }
    }

    /// <param name="changes">One layer's changes.</param>
    /// <param name="depth">Deepest level shown (1 = entries of the root); null shows everything.</param>
    /// <param name="onlyChanges">Leave out entries the layer lists unchanged (directories stay as the way to a change).</param>
    public static IReadOnlyList<ChangeRow> Rows(IReadOnlyList<LayerChange> changes, int? depth = null, bool onlyChanges = false)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (depth is < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "the depth is at least 1");
        var root = new Node("/", 0);
        foreach (var change in changes)
        {
            var node = root;
            if (change.Path != "/")
            {
                var parts = change.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (int i = 0; i < parts.Length; i++)
                {
                    if (!node.Children.TryGetValue(parts[i], out var child))
                        node.Children[parts[i]] = child = new Node("/" + string.Join('/', parts, 0, i + 1), i + 1);
                    node = child;
                }
            }
            node.Change = change;
        }
        Sum(root);
        var rows = new List<ChangeRow>();
        foreach (var child in root.Children.Values) Emit(child, depth, onlyChanges, rows);
        return rows;
    }

    private static void Sum(Node node)
    {
        bool counts = node.Change is { Kind: not ChangeKind.Unchanged };
        node.Bytes = counts ? node.Change!.Size : 0;
        node.Changes = counts ? 1 : 0;
        foreach (var child in node.Children.Values)
        {
            Sum(child);
            node.Bytes += child.Bytes;
            node.Changes += child.Changes;
        }
    }

    private static void Emit(Node node, int? depth, bool onlyChanges, List<ChangeRow> rows)
    {
        if (onlyChanges && node.Changes == 0) return;
        bool folded = depth is { } limit && node.Depth >= limit && node.Children.Count > 0;
        int own = node.Change is { Kind: not ChangeKind.Unchanged } ? 1 : 0;
        rows.Add(new ChangeRow(node.Path, node.Depth, node.Change, node.Bytes, folded ? node.Changes - own : 0));
        if (folded) return;
        foreach (var child in node.Children.Values) Emit(child, depth, onlyChanges, rows);
    }
}
