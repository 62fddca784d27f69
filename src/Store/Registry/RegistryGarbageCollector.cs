using Images.Core.Digests;
using Images.Store.Catalog;
using Images.Store.Content;

namespace Images.Store.Registry;

/// <summary>
/// Registry GC, run under the exclusive lease. Unlike distribution's mark-sweep it needs no read-only window:
/// pushes hold the shared lease only while they make content reachable, and a blob uploaded but not yet named by
/// a manifest survives <c>grace</c> (its link, or for an unlinked blob its file, is younger), so a push in progress
/// between its blobs and its manifest loses nothing.
/// Order: expire idle upload sessions; drop repository links no manifest (of any repository or local image)
/// references and older than the grace; delete blobs nothing references or links, older than the grace.
/// </summary>
internal sealed class RegistryGarbageCollector(Metadata metadata, ContentStore content, ImageStore images, UploadStore uploads)
{
    public RegistryGcReport Run(TimeSpan grace, bool dryRun)
    {
        if (grace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(grace), "the grace period cannot be negative");
        var now = DateTimeOffset.UtcNow;
        var expired = dryRun ? [] : uploads.Expire();

        var held = new HashSet<Digest>(images.ReferencedBlobs());
        held.UnionWith(metadata.RegistryManifestBlobs());

        var unlinked = new List<string>();
        foreach (var (repository, digest, linked) in metadata.RegistryBlobLinks())
        {
            if (held.Contains(digest) || now - linked < grace) continue;
            if (dryRun || metadata.UnlinkRegistryBlob(repository, digest)) unlinked.Add($"{repository}@{digest}");
        }

        var keep = new HashSet<Digest>(held);
        foreach (var (repository, digest, _) in metadata.RegistryBlobLinks())
            if (!dryRun || !unlinked.Contains($"{repository}@{digest}")) keep.Add(digest);

        var removed = new List<Digest>();
        long bytes = 0;
        foreach (var blob in content.List().ToList())
        {
            if (keep.Contains(blob.Digest)) continue;
            if (now - content.Modified(blob.Digest) < grace) continue;
            if (dryRun || content.Delete(blob.Digest))
            {
                removed.Add(blob.Digest);
                bytes += blob.Size;
            }
        }
        return new RegistryGcReport(removed, unlinked, expired, bytes);
    }
}

/// <summary>What registry GC removed (or, dry, would remove): blobs, repository links ("repo@digest"), upload sessions.</summary>
public sealed record RegistryGcReport(
    IReadOnlyList<Digest> BlobsRemoved,
    IReadOnlyList<string> LinksRemoved,
    IReadOnlyList<string> UploadsExpired,
    long BytesFreed);
