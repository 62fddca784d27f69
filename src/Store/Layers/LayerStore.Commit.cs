using Images.Archive;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store.Content;

namespace Images.Store.Layers;

public sealed partial class LayerStore
{
    public Layer Commit(string rwName, CommitOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rwName);
        options ??= new CommitOptions();
        string id = RwDriverId(rwName);
        var rw = _metadata.GetRw(rwName)!;

        // The directory becomes a layer: no mount of it may outlive the commit (and devicemapper flushes on unmount).
        int mounts;
        lock (_rwMounts) _rwMounts.Remove(rwName, out mounts);
        for (int i = 0; i < mounts; i++) _driver.Unmount(id);

        // One pass over the diff: hashed (diffID) on its way into the compressor, whose output is ingested.
        BlobInfo blob;
        Digest diffId;
        long tarBytes;
        using (var writer = _content.BeginWrite())
        {
            using (var compressor = Compression.OpenCompressor(writer, options.Compression, leaveOpen: true))
            using (var hashing = new HashingStream(compressor, leaveOpen: true))
            {
                DriverDiffs.WriteDiff(_driver, id, hashing, new WriteOptions { ClampMtime = options.ClampMtime });
                diffId = hashing.GetDigest();
                tarBytes = hashing.BytesHashed;
            }
            blob = writer.Commit();
        }
        var descriptor = new Descriptor { MediaType = MediaTypes.OciLayerFor(options.Compression), Digest = blob.Digest, Size = blob.Size };

        // Sealed before it becomes visible, so a registered layer is never writable (btrfs makes it read-only).
        _driver.Seal(id);
        var chainId = ChainId.Of(rw.Parent, diffId);
        var row = new LayerRow(chainId, diffId, rw.Parent, tarBytes, DateTimeOffset.UtcNow);
        bool adopted = _metadata.AdoptRw(rwName, id, row, descriptor, DriverName)
            ?? throw new InvalidOperationException($"rw layer '{rwName}' was removed while it was being committed; nothing was registered");
        // The chain had a driver copy already (the same change committed before): this directory is not needed.
        if (!adopted) RemovePendingDriverLayer(DriverName, id);
        return Get(chainId)!;
    }
}
