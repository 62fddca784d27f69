using Images.Core.Oci;

namespace Images.Cli.Formatting;

/// <summary>An image's history entries paired with the sizes of the layers they made.</summary>
internal static class HistoryView
{
    public sealed record Entry(DateTimeOffset? Created, string CreatedBy, long Size, string Comment, bool Empty);

    /// <summary>
    /// Oldest first. Non-empty history entries take the layers in order; an image without history gets one
    /// entry per layer, as Docker shows it.
    /// </summary>
    public static IReadOnlyList<Entry> Entries(ImageConfig config, IReadOnlyList<long> layerSizes)
    {
        var result = new List<Entry>();
        int layer = 0;
        foreach (var h in config.History ?? [])
        {
            bool empty = h.EmptyLayer == true;
            long size = !empty && layer < layerSizes.Count ? layerSizes[layer++] : 0;
            result.Add(new Entry(h.Created, h.CreatedBy ?? "", size, h.Comment ?? "", empty));
        }
        for (; layer < layerSizes.Count; layer++)
            result.Add(new Entry(config.Created, "", layerSizes[layer], "", false));
        return result;
    }
}
