using Images.Core.Digests;
using Images.Store.Content;

namespace Images.Store.Registry;

/// <summary>
/// What a registry keeps, on the shared store: each blob once in the content store, repositories holding links
/// to the blobs they may serve (a cross-repository mount adds a link), manifests per repository (their exact bytes
/// are blobs), tags, referrers, and resumable upload sessions. Repository names and tags are validated by the
/// caller (the protocol's grammar lives with the protocol).
/// </summary>
public interface IRegistryStore
{
    /// <summary>Upload sessions idle for longer expire.</summary>
    TimeSpan UploadTimeout { get; set; }

    bool RepositoryExists(string repository);

    /// <summary>Repository names in order, after <paramref name="after"/> (exclusive), at most <paramref name="limit"/>.</summary>
    IReadOnlyList<string> Repositories(string? after = null, int limit = int.MaxValue);

    /// <summary>The blob when the repository links it and the content store has it; null otherwise.</summary>
    BlobInfo? GetBlob(string repository, Digest digest);

    /// <summary>Links a blob the content store has into <paramref name="repository"/> (a mount); false when it is not stored.</summary>
    bool LinkBlob(string repository, Digest digest);

    /// <summary>Removes the repository's link to a blob (the bytes stay while anything else holds them); false when not linked.</summary>
    bool UnlinkBlob(string repository, Digest digest);

    /// <summary>Stores a blob into the repository in one go (a monolithic upload), verified against <paramref name="expected"/>.</summary>
    Task<BlobInfo> PutBlobAsync(string repository, Stream content, Digest expected, long? expectedSize, CancellationToken cancellationToken = default);

    UploadSession StartUpload(string repository);

    /// <summary>The session, or null when unknown, of another repository, or expired; waits briefly for a writer still appending, so its size is settled.</summary>
    UploadSession? GetUpload(string repository, string id);

    /// <summary>Opens a session for appending (one writer at a time); null when unknown.</summary>
    /// <exception cref="UploadBusyException">another request is writing to it.</exception>
    UploadWriter? OpenUpload(string repository, string id);

    bool CancelUpload(string repository, string id);

    /// <summary>
    /// Stores manifest bytes and records them in the repository with what they reference (blobs the repository must
    /// link, child manifests it must hold) and optionally a tag, atomically. The bytes are stored under
    /// <paramref name="expected"/> (which they must match) or their sha256.
    /// </summary>
    /// <exception cref="ManifestReferencesMissingException">a reference is missing; nothing is recorded.</exception>
    RepositoryManifest PutManifest(string repository, ReadOnlySpan<byte> bytes, ManifestFacts facts, string? tag, Digest? expected = null);

    RepositoryManifest? GetManifest(string repository, Digest digest);

    Digest? ResolveTag(string repository, string tag);

    IReadOnlyList<string> Tags(string repository, string? after = null, int limit = int.MaxValue);

    /// <summary>Deletes a manifest and the tags pointing at it; false when the repository does not hold it.</summary>
    bool DeleteManifest(string repository, Digest digest);

    bool DeleteTag(string repository, string tag);

    /// <summary>Manifests of the repository whose subject is <paramref name="subject"/>, optionally filtered by artifact type.</summary>
    IReadOnlyList<RepositoryManifest> Referrers(string repository, Digest subject, string? artifactType = null);
}

/// <summary>What the protocol layer read from a manifest: its type, what it references, and its referrer facts.</summary>
public sealed record ManifestFacts(
    string MediaType,
    IReadOnlyCollection<Digest> Blobs,
    IReadOnlyCollection<Digest> Children,
    string? ArtifactType,
    Digest? Subject,
    IReadOnlyDictionary<string, string>? Annotations);
