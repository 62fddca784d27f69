using Images.Inspect.Sources;

namespace Images.Inspect;

public enum DiffKind
{
    Added,
    Changed,
    Deleted,
}

/// <summary>One path that differs between two root filesystems; <see cref="Before"/>/<see cref="After"/> are null where it is absent.</summary>
public sealed record DiffEntry(string Path, DiffKind Kind, FileFacts? Before, FileFacts? After)
{
    /// <summary>Docker's letter: A, C or D.</summary>
    public char Letter => Kind switch { DiffKind.Added => 'A', DiffKind.Changed => 'C', _ => 'D' };
}

/// <summary>
/// <c>images diff A B</c>: the root filesystems of two images compared path by path, as a recursive comparison of
/// the two extracted trees would (modification times aside). A path is changed when its type, mode, owner, xattrs,
/// link target, device numbers, or (for regular files) size or sha256 differ. Every path is listed, those under an
/// added or deleted directory included. Layers are streamed once each: file content is hashed as it passes, never kept.
/// </summary>
public static class ImageDiff
{
    public static IReadOnlyList<DiffEntry> Compare(IImageSource before, IImageSource after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var lower = Merge(before);
        var upper = Merge(after);
        var afterFacts = new Dictionary<string, FileFacts>(StringComparer.Ordinal);
        foreach (var (path, facts) in upper.Entries()) afterFacts[path] = facts;
        var result = new List<DiffEntry>();
        foreach (var (path, facts) in lower.Entries())
        {
            if (!afterFacts.Remove(path, out var now)) result.Add(new DiffEntry(path, DiffKind.Deleted, facts, null));
            else if (!facts.SameAs(now)) result.Add(new DiffEntry(path, DiffKind.Changed, facts, now));
        }
        foreach (var (path, facts) in afterFacts) result.Add(new DiffEntry(path, DiffKind.Added, null, facts));
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    /// <summary>The merged root filesystem of <paramref name="source"/>, with content digests.</summary>
    public static MergedTree Merge(IImageSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tree = new MergedTree();
        for (int i = 0; i < source.LayerCount; i++)
        {
            using var tar = source.OpenLayer(i);
            tree.Apply(LayerEntries.Read(tar, $"{source.Name}: layer {i + 1} of {source.LayerCount}", hashContent: true), i);
        }
        return tree;
    }
}
