namespace Images.Inspect;

/// <summary>
/// What one layer changed, path by path, collected while the layer is applied: the last word on a path wins, but a
/// path removed and written again in the same layer (an opaque directory re-filled) is a modification. Also gathers
/// the layer's size and its file occurrences for <see cref="EfficiencyCalculator"/>.
/// </summary>
public sealed class LayerChangeSet
{
    private readonly Dictionary<string, LayerChange> _changes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _occurrences = new(StringComparer.Ordinal);

    /// <summary>Bytes of content the layer's entries hold (the sum of their header sizes, as dive counts a layer).</summary>
    public long Size { get; private set; }

    /// <summary>Non-directory paths the layer wrote (with the bytes it wrote) or removed (0 bytes).</summary>
    public IReadOnlyDictionary<string, long> Occurrences => _occurrences;

    internal void Count(LayerEntry entry) => Size += entry.HeaderSize;

    internal void Occurrence(string path, long size) => _occurrences[path] = size;

    internal void RemovedFile(string path) => _occurrences.TryAdd(path, 0);

    internal void Record(LayerChange change)
    {
        if (!_changes.TryGetValue(change.Path, out var earlier))
        {
            _changes[change.Path] = change;
            return;
        }
        switch (earlier.Kind, change.Kind)
        {
            case (ChangeKind.Removed, not ChangeKind.Removed):
                _changes[change.Path] = change with { Kind = ChangeKind.Modified, Before = earlier.Before };
                break;
            case (ChangeKind.Added, ChangeKind.Removed):
                _changes.Remove(change.Path); // made and unmade by the same layer: nothing below changed
                break;
            case (ChangeKind.Added, _):
                _changes[change.Path] = change with { Kind = ChangeKind.Added, Before = null };
                break;
            default:
                _changes[change.Path] = change with { Before = earlier.Before };
                break;
        }
    }

    /// <summary>The changes sorted by path (ordinal).</summary>
    public IReadOnlyList<LayerChange> Changes() =>
        _changes.Values.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
}
