using Images.Core.Digests;
using Images.Store.Content;

namespace Images.Store.Registry;

/// <summary>
/// The registry's view of the store. Writes that make content reachable (completing an upload, storing and
/// recording a manifest, mounting) hold the store's write lease, so garbage collection never runs between a
/// blob's check and the row that makes it a root.
/// </summary>
internal sealed class RegistryStore : IRegistryStore
{
    private readonly Metadata _metadata;
    private readonly ContentStore _content;
    private readonly UploadStore _uploads;
    private readonly Func<IDisposable> _enterWrite;

    public RegistryStore(StorePaths paths, Metadata metadata, ContentStore content, Func<IDisposable> enterWrite)
    {
        _metadata = metadata;
        _content = content;
        _enterWrite = enterWrite;
        _uploads = new UploadStore(paths, content, metadata, enterWrite);
    }

    internal UploadStore Uploads => _uploads;

    public TimeSpan UploadTimeout
    {
        get => _uploads.Timeout;
        set => _uploads.Timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), "the upload timeout must be positive");
    }

    public bool RepositoryExists(string repository) => _metadata.RegistryRepositoryExists(repository);

    public IReadOnlyList<string> Repositories(string? after = null, int limit = int.MaxValue) =>
        _metadata.RegistryRepositories(after, CheckLimit(limit));

    public BlobInfo? GetBlob(string repository, Digest digest)
    {
        if (_metadata.RegistryBlobLinked(repository, digest) is not { } linked) return null;
        if (_content.Info(digest) is not { } info) return null;
        // A client that finds a blob here skips its upload and names it in a manifest soon: keep the link young so
        // the collector's grace period covers that window too.
        if (DateTimeOffset.UtcNow - linked > TimeSpan.FromMinutes(10)) _metadata.LinkRegistryBlob(repository, digest, DateTimeOffset.UtcNow);
        return info;
    }

    public bool LinkBlob(string repository, Digest digest)
    {
        using var lease = _enterWrite();
        if (!_content.Exists(digest)) return false;
        _metadata.LinkRegistryBlob(repository, digest, DateTimeOffset.UtcNow);
        return true;
    }

    public bool UnlinkBlob(string repository, Digest digest) => _metadata.UnlinkRegistryBlob(repository, digest);

    public async Task<BlobInfo> PutBlobAsync(string repository, Stream content, Digest expected, long? expectedSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        await using var writer = _content.BeginWrite(expected, expectedSize);
        await content.CopyToAsync(writer, 1 << 16, cancellationToken).ConfigureAwait(false);
        using var lease = _enterWrite();
        var blob = writer.Commit();
        _metadata.LinkRegistryBlob(repository, blob.Digest, DateTimeOffset.UtcNow);
        return blob;
    }

    public UploadSession StartUpload(string repository) => _uploads.Start(repository);

    public UploadSession? GetUpload(string repository, string id) => _uploads.Get(repository, id, TimeSpan.FromSeconds(2));

    public UploadWriter? OpenUpload(string repository, string id) => _uploads.Open(repository, id);

    public bool CancelUpload(string repository, string id) => _uploads.Cancel(repository, id);

    public RepositoryManifest PutManifest(string repository, ReadOnlySpan<byte> bytes, ManifestFacts facts, string? tag, Digest? expected = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        using var lease = _enterWrite();
        var blob = _content.Write(bytes, expected);
        var manifest = new RepositoryManifest(blob.Digest, facts.MediaType, blob.Size, facts.ArtifactType, facts.Subject, facts.Annotations, DateTimeOffset.UtcNow);
        var missing = _metadata.PutRegistryManifest(repository, manifest, facts.Blobs, facts.Children, tag);
        if (missing.Count > 0) throw new ManifestReferencesMissingException(repository, missing);
        return _metadata.GetRegistryManifest(repository, blob.Digest) ?? manifest;
    }

    public RepositoryManifest? GetManifest(string repository, Digest digest) =>
        _metadata.GetRegistryManifest(repository, digest) is { } m && _content.Exists(m.Digest) ? m : null;

    public Digest? ResolveTag(string repository, string tag) => _metadata.RegistryTag(repository, tag);

    public IReadOnlyList<string> Tags(string repository, string? after = null, int limit = int.MaxValue) =>
        _metadata.RegistryTags(repository, after, CheckLimit(limit));

    public bool DeleteManifest(string repository, Digest digest) => _metadata.DeleteRegistryManifest(repository, digest);

    public bool DeleteTag(string repository, string tag) => _metadata.DeleteRegistryTag(repository, tag);

    public IReadOnlyList<RepositoryManifest> Referrers(string repository, Digest subject, string? artifactType = null) =>
        _metadata.RegistryReferrers(repository, subject, artifactType);

    private static int CheckLimit(int limit) =>
        limit >= 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), "a page size cannot be negative");
}
