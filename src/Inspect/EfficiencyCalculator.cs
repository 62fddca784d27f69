namespace Images.Inspect;

/// <summary>A path whose content more than one layer holds (written, overwritten or removed): space the image wastes.</summary>
public sealed record WastedPath(string Path, int Occurrences, long CumulativeSize);

/// <summary>Image-wide figures, as dive defines them (see <see cref="EfficiencyCalculator"/>).</summary>
public sealed record EfficiencyReport(
    long TotalSize,
    long UserSize,
    long WastedBytes,
    double UserWastedPercent,
    double Score,
    IReadOnlyList<WastedPath> Inefficiencies);

/// <summary>
/// dive's efficiency: every layer that writes a non-directory path adds an occurrence of it with the bytes written;
/// a layer that removes one (whiteout, opaque directory, replacement by another type) adds an occurrence of 0 bytes.
/// Per path, cumulative = sum and minimum = least of its occurrences. Then
/// <list type="bullet">
/// <item>score = Σ minimum / Σ cumulative over all paths (1 when there are no bytes);</item>
/// <item>wasted bytes = Σ cumulative over the paths seen more than once (the kept copy included, as dive counts);</item>
/// <item>user size = the layer sizes except the first (the base image); user wasted percent = wasted / user size (0 when
/// there is no user size);</item>
/// <item>a layer's size is the sum of its entries' header sizes.</item>
/// </list>
/// One difference from dive, on purpose: dive charges a removed directory to the directory's own path, which no other
/// occurrence shares, so removing a directory never counts as waste there; here each file it removes counts, as dive
/// counts a removed file.
/// </summary>
public sealed class EfficiencyCalculator
{
    private readonly Dictionary<string, (int Count, long Cumulative, long Minimum)> _paths = new(StringComparer.Ordinal);
    private readonly List<long> _layerSizes = [];

    public void Add(LayerChangeSet layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layerSizes.Add(layer.Size);
        foreach (var (path, size) in layer.Occurrences)
        {
            _paths[path] = _paths.TryGetValue(path, out var seen)
                ? (seen.Count + 1, seen.Cumulative + size, Math.Min(seen.Minimum, size))
                : (1, size, size);
        }
    }

    /// <param name="top">How many of the most wasteful paths to list.</param>
    public EfficiencyReport Report(int top = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        long minimum = 0, cumulative = 0, wasted = 0;
        var inefficient = new List<WastedPath>();
        foreach (var (path, seen) in _paths)
        {
            minimum += seen.Minimum;
            cumulative += seen.Cumulative;
            if (seen.Count < 2) continue;
            wasted += seen.Cumulative;
            inefficient.Add(new WastedPath(path, seen.Count, seen.Cumulative));
        }
        long total = _layerSizes.Sum();
        long user = total - (_layerSizes.Count > 0 ? _layerSizes[0] : 0);
        var worst = inefficient
            .OrderByDescending(w => w.CumulativeSize).ThenBy(w => w.Path, StringComparer.Ordinal)
            .Take(top).ToList();
        return new EfficiencyReport(
            total, user, wasted,
            user == 0 ? 0 : (double)wasted / user,
            cumulative == 0 ? 1 : (double)minimum / cumulative,
            worst);
    }
}
