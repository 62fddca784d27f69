using Images.Core.Digests;
using Images.Store.Catalog;
using Images.Store.Content;
using Images.Store.Layers;

namespace Images.Store;

/// <summary>
/// Check: every blob's bytes against its digest, every image's documents, every layer's blobs and driver copy, the
/// metadata's own references. Each problem is one line naming the object and the fix; with repair, corrupt blobs are
/// deleted, images whose documents are gone removed, lost driver copies forgotten (re-made from the blob on need),
/// and unreferenced blobs deleted. Unreferenced blobs are garbage, not problems: an interrupted load leaves them
/// and prune collects them. Runs under the exclusive lease.
/// </summary>
internal sealed class ConsistencyChecker(Metadata metadata, ContentStore content, LayerStore layers, ImageStore images)
{
    private readonly List<string> _problems = [];
    private readonly List<string> _repaired = [];
    private readonly List<string> _garbage = [];

    public CheckReport Run(bool repair)
    {
        CheckBlobs(repair);
        CheckImages(repair);
        CheckLayers(repair);
        CheckDriverCopies(repair);
        foreach (var violation in metadata.ForeignKeyViolations())
            _problems.Add($"metadata: {violation} (fix: none automatic; move metadata.db aside and load the images again)");
        if (repair) _repaired.AddRange(layers.RecoverPending());
        CheckUnreferenced(repair);
        return new CheckReport(_problems, _repaired) { Garbage = _garbage };
    }

    private void CheckBlobs(bool repair)
    {
        foreach (var blob in content.List().ToList())
        {
            var actual = content.ComputeDigest(blob.Digest);
            if (actual == blob.Digest) continue;
            _problems.Add($"blob {blob.Digest}: corrupt, its bytes hash to {actual} (fix: check --repair deletes it; then pull or load its image again)");
            if (repair && content.Delete(blob.Digest)) _repaired.Add($"deleted corrupt blob {blob.Digest}");
        }
    }

    private void CheckImages(bool repair)
    {
        foreach (var image in images.List())
        {
            var missing = new[] { ("manifest", image.ManifestDigest), ("config", image.Id) }
                .Where(d => !content.Exists(d.Item2)).ToList();
            if (missing.Count == 0) continue;
            _problems.Add($"image {image.Id.Short}: its {string.Join(" and ", missing.Select(m => $"{m.Item1} blob {m.Item2}"))} missing " +
                          "(fix: check --repair removes the image; then pull or load it again)");
            if (!repair) continue;
            foreach (var tag in image.Tags) images.Untag(tag);
            if (images.Delete(image.Id) is not null) _repaired.Add($"removed image {image.Id} whose documents are gone");
        }
    }

    private void CheckLayers(bool repair)
    {
        foreach (var layer in layers.List())
        {
            int stored = 0;
            foreach (var blob in layer.Blobs)
            {
                if (content.Exists(blob.Digest)) { stored++; continue; }
                _problems.Add($"layer {layer.ChainId}: its blob {blob.Digest} is missing (fix: check --repair forgets it; pull or load the image again to restore it)");
                if (repair)
                {
                    metadata.DeleteLayerBlob(layer.ChainId, blob.Digest);
                    _repaired.Add($"forgot missing blob {blob.Digest} of layer {layer.ChainId}");
                }
            }
            if (stored == 0)
                _problems.Add($"layer {layer.ChainId}: no blob of it is stored, so it cannot be pushed or re-created (fix: pull or load its image again)");
        }
    }

    private void CheckDriverCopies(bool repair)
    {
        var driver = layers.Driver;
        foreach (var (driverName, chain, id) in metadata.ListDriverLayers())
        {
            if (driverName != driver.Name || driver.Exists(id)) continue;
            _problems.Add($"layer {chain}: its {driverName} copy {id} is missing (fix: check --repair forgets it; it is re-made from the blob when next used)");
            if (!repair) continue;
            metadata.DeleteDriverLayer(driverName, chain);
            _repaired.Add($"forgot missing {driverName} copy {id} of layer {chain}");
        }
    }

    private void CheckUnreferenced(bool repair)
    {
        var referenced = new HashSet<Digest>(images.ReferencedBlobs());
        referenced.UnionWith(metadata.RegistryBlobs()); // what registry repositories hold is collected by registry GC
        foreach (var blob in content.List().ToList())
        {
            if (referenced.Contains(blob.Digest)) continue;
            // Not an inconsistency: an interrupted load or pull leaves blobs nothing references yet; GC owns them.
            _garbage.Add($"blob {blob.Digest}: nothing references it (prune or check --repair deletes it)");
            if (repair && content.Delete(blob.Digest)) _repaired.Add($"deleted unreferenced blob {blob.Digest}");
        }
    }
}
