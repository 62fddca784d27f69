using Images.Core.Digests;

namespace Images.Registry.Client;

/// <summary>What a push did: the manifest's digest in the registry and how each blob got there.</summary>
public sealed record PushResult(Digest ManifestDigest, int BlobsSkipped, int BlobsMounted, int BlobsSent, long BytesSent)
{
    /// <summary>Size of the manifest bytes sent.</summary>
    public long ManifestSize { get; init; }
}

/// <summary>
/// What a pull did. <see cref="ManifestDigest"/> is the digest the registry has for the reference (an index's when
/// the reference names one); <see cref="ImageId"/> is the local image.
/// </summary>
public sealed record PullResult(Digest ManifestDigest, Digest ImageId, int BlobsSkipped, int BlobsFetched, long BytesFetched);
