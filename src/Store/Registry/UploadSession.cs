namespace Images.Store.Registry;

/// <summary>A resumable blob upload into <see cref="Repository"/>; <see cref="Size"/> bytes are received so far.</summary>
public sealed record UploadSession(string Id, string Repository, DateTimeOffset Started, DateTimeOffset Updated, long Size);

/// <summary>Another request is writing to the same upload session right now.</summary>
public sealed class UploadBusyException(string id)
    : Exception($"upload {id} is being written by another request; send the next chunk after that one completes");

/// <summary>A manifest names blobs or manifests the repository does not hold.</summary>
public sealed class ManifestReferencesMissingException(string repository, IReadOnlyList<Images.Core.Digests.Digest> missing)
    : Exception($"repository {repository} does not hold {string.Join(", ", missing)}; push them before the manifest that references them")
{
    public IReadOnlyList<Images.Core.Digests.Digest> Missing { get; } = missing;
}
