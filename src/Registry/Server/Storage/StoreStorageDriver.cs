using Images.Core.Digests;
using Images.Store;
using Images.Store.Content;
using Images.Store.Registry;

namespace Images.Registry.Server.Storage;

/// <summary>The local file-system driver: blobs in the shared content store, uploads in the store's upload sessions.</summary>
public sealed class StoreStorageDriver(LocalStore store) : IStorageDriver
{
    public string Name => "filesystem";

    public BlobInfo? Stat(Digest digest) => store.Content.Info(digest);

    public Stream Reader(Digest digest, long offset)
    {
        var stream = store.Content.OpenRead(digest);
        if (offset > 0) stream.Seek(offset, SeekOrigin.Begin);
        return stream;
    }

    public UploadWriter? Writer(string repository, string uploadId) => store.Registry.OpenUpload(repository, uploadId);

    public Task<BlobInfo> PutAsync(string repository, Stream content, Digest expected, long? size, CancellationToken cancellationToken) =>
        store.Registry.PutBlobAsync(repository, content, expected, size, cancellationToken);
}
