using Images.Core.Digests;
using Images.Store;
using Images.Store.Catalog;

namespace Images.Cli;

/// <summary>Facts about an image derived from its layers, as the list and inspect views show them.</summary>
internal static class ImageFacts
{
    /// <summary>The uncompressed size of an image: the sum of its layers' sizes.</summary>
    public static long Size(LocalStore store, Image image)
    {
        long size = 0;
        for (Digest? chain = image.TopLayer; chain is { } c;)
        {
            var layer = store.Layers.Get(c);
            if (layer is null) break;
            size += layer.Size;
            chain = layer.Parent;
        }
        return size;
    }

    /// <summary>Sizes of the layers bottom first, by chain id.</summary>
    public static IReadOnlyList<long> LayerSizes(LocalStore store, IReadOnlyList<Digest> diffIds) =>
        ChainId.All(diffIds).Select(c => store.Layers.Get(c)?.Size ?? 0).ToList();

    /// <summary>"name@manifest-digest" for every repository the image is tagged in.</summary>
    public static IReadOnlyList<string> RepoDigests(Image image) =>
        image.Tags.Select(t => t.FamiliarName).Distinct().Select(n => $"{n}@{image.ManifestDigest}").ToList();
}
