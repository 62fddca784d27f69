using Images.Core.Digests;

namespace Images.Store.Distribution;

/// <summary>The blob-source records, kept in the store's metadata (table <c>blob_sources</c>).</summary>
internal sealed class BlobSources(Metadata metadata) : IBlobSources
{
    public void Record(Digest digest, string registry, string repository)
    {
        Validate(registry, repository);
        metadata.RecordBlobSource(digest, registry, repository, DateTimeOffset.UtcNow);
    }

    public void Forget(Digest digest, string registry, string repository)
    {
        Validate(registry, repository);
        metadata.ForgetBlobSource(digest, registry, repository);
    }

    public IReadOnlyList<string> Repositories(Digest digest, string registry)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        return metadata.BlobSourceRepositories(digest, registry);
    }

    private static void Validate(string registry, string repository)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        ArgumentException.ThrowIfNullOrEmpty(repository);
    }
}
