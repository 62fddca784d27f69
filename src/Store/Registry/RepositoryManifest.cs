using Images.Core.Digests;

namespace Images.Store.Registry;

/// <summary>
/// A manifest a repository holds. Its exact bytes are the content-store blob <see cref="Digest"/>; the rest is what
/// the registry answers without reading them (HEAD, the referrers list).
/// </summary>
public sealed record RepositoryManifest(
    Digest Digest,
    string MediaType,
    long Size,
    string? ArtifactType,
    Digest? Subject,
    IReadOnlyDictionary<string, string>? Annotations,
    DateTimeOffset Pushed);
