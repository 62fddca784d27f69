using Images.Core.Digests;
using Images.Core.Oci;
using Images.Inspect.Sources;

namespace Images.Inspect;

/// <summary>One layer: the instruction that made it (from the config's history), its size and what it changed.</summary>
public sealed record LayerReport(int Index, Digest DiffId, string? CreatedBy, long Size, IReadOnlyList<LayerChange> Changes);

/// <summary>What <see cref="ImageAnalyzer.Analyze"/> found: every layer, then the image-wide figures.</summary>
public sealed record ImageReport(string Name, IReadOnlyList<LayerReport> Layers, EfficiencyReport Efficiency);

/// <summary>
/// <c>images layers</c>: reads every layer's tar headers once, bottom first (data skipped, nothing extracted), and
/// works out each layer's changes against the layers below and the image's wasted space.
/// </summary>
public static class ImageAnalyzer
{
    public static ImageReport Analyze(IImageSource source, int topWasted = 10)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tree = new MergedTree();
        var efficiency = new EfficiencyCalculator();
        var commands = LayerCommands(source.Config, source.LayerCount);
        var layers = new List<LayerReport>(source.LayerCount);
        for (int i = 0; i < source.LayerCount; i++)
        {
            var changes = new LayerChangeSet();
            string name = $"{source.Name}: layer {i + 1} of {source.LayerCount}";
            using (var tar = source.OpenLayer(i))
                tree.Apply(LayerEntries.Read(tar, name), i, changes);
            efficiency.Add(changes);
            var diffId = i < source.Config.RootFs.DiffIds.Count ? source.Config.RootFs.DiffIds[i] : default;
            layers.Add(new LayerReport(i, diffId, commands[i], changes.Size, changes.Changes()));
        }
        return new ImageReport(source.Name, layers, efficiency.Report(topWasted));
    }

    /// <summary>
    /// The created_by of the history entry that made each layer: non-empty history entries take the layers in order
    /// (null where the history runs out, as images without history have).
    /// </summary>
    public static IReadOnlyList<string?> LayerCommands(ImageConfig config, int layerCount)
    {
        ArgumentNullException.ThrowIfNull(config);
        var commands = new string?[layerCount];
        int layer = 0;
        foreach (var entry in config.History ?? [])
        {
            if (entry.EmptyLayer == true) continue;
            if (layer >= layerCount) break;
            commands[layer++] = entry.CreatedBy ?? "";
        }
        return commands;
    }
}
