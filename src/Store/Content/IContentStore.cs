using Images.Core.Digests;

namespace Images.Store.Content;

/// <summary>
/// Blobs by digest: the source of truth of the store. A blob becomes visible only complete and verified
/// (written to an ingest file while hashed, fsynced, checked against the expected digest and size, renamed).
/// Two writers of the same blob at once both succeed; readers never see a partial blob.
/// </summary>
public interface IContentStore
{
    /// <summary>Size and digest of a stored blob, or null when it is not stored.</summary>
    BlobInfo? Info(Digest digest);

    bool Exists(Digest digest);

    /// <summary>Opens a stored blob for reading; the stream is seekable, so ranges are a Seek away.</summary>
    /// <exception cref="BlobNotFoundException">the blob is not stored.</exception>
    Stream OpenRead(Digest digest);

    /// <summary>
    /// Stores <paramref name="content"/>, read to its end. When <paramref name="expected"/> or <paramref name="expectedSize"/>
    /// is given and the content does not match, nothing is stored and <see cref="DigestMismatchException"/> says which.
    /// Without an expected digest the blob is stored under the sha256 of what was read.
    /// </summary>
    BlobInfo Write(Stream content, Digest? expected = null, long? expectedSize = null);

    /// <summary>
    /// Starts a blob written as a stream (compressed on the fly, downloaded); <see cref="BlobWriter.Commit"/> verifies
    /// and stores it, disposing without committing stores nothing.
    /// </summary>
    BlobWriter BeginWrite(Digest? expected = null, long? expectedSize = null);

    Task<BlobInfo> WriteAsync(Stream content, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default);

    /// <summary>Stores a small blob held in memory (manifests, configs).</summary>
    BlobInfo Write(ReadOnlySpan<byte> content, Digest? expected = null);

    /// <summary>Reads a small blob (manifest, config) whole; refuses blobs over <paramref name="maxSize"/>.</summary>
    byte[] ReadAllBytes(Digest digest, long maxSize = 4 << 20);

    IEnumerable<BlobInfo> List();
}

public sealed record BlobInfo(Digest Digest, long Size);

public sealed class BlobNotFoundException(Digest digest)
    : Exception($"blob {digest} is not in the content store (pull or load the image that has it, or run 'images check')")
{
    public Digest Digest { get; } = digest;
}

public sealed class DigestMismatchException(string message) : Exception(message);
