using Images.Core.Digests;
using Images.Store.Catalog;
using Images.Store.Content;
using Images.Store.Layers;

namespace Images.Store;

/// <summary>
/// Prune: unused images, then layers nothing uses, then blobs nothing references. Runs under the exclusive lease,
/// so no load or pull is adding content meanwhile; ingest files are not blobs and are never touched.
/// </summary>
internal sealed class GarbageCollector(Metadata metadata, ContentStore content, LayerStore layers, ImageStore images)
{
    public PruneReport Run(bool all)
    {
        var imagesRemoved = new List<Digest>();
        var layersRemoved = new List<Digest>();
        long bytes = 0;

        foreach (var image in images.List())
        {
            if ((image.Tags.Count > 0 && !all) || images.InUse(image)) continue;
            if (images.Delete(image.Id) is { } released)
            {
                imagesRemoved.Add(image.Id);
                layersRemoved.AddRange(released);
            }
        }

        // Layers nothing uses; removing one may free its parent, so repeat until nothing more goes.
        while (true)
        {
            var unused = metadata.UnusedLayers();
            int before = layersRemoved.Count;
            foreach (var chain in unused) layersRemoved.AddRange(layers.Release(chain));
            if (layersRemoved.Count == before) break;
        }
        var referenced = new HashSet<Digest>(images.ReferencedBlobs());
        referenced.UnionWith(metadata.RegistryBlobs()); // what registry repositories hold is collected by registry GC
        var blobsRemoved = new List<Digest>();
        foreach (var blob in content.List().ToList())
        {
            if (referenced.Contains(blob.Digest)) continue;
            if (content.Delete(blob.Digest))
            {
                blobsRemoved.Add(blob.Digest);
                bytes += blob.Size;
            }
        }
        return new PruneReport(imagesRemoved, layersRemoved, blobsRemoved, bytes);
    }
}
