using Images.Core.Digests;
using Images.Store.Content;

namespace Images.Registry.Server.Storage;

/// <summary>
/// Where the registry's bytes live, in the shape of distribution's <c>storagedriver.StorageDriver</c> reduced to what
/// this server needs. distribution's driver is a path-addressed file system: <c>Stat</c>, <c>Reader(path, offset)</c>,
/// <c>Writer(path, append)</c> returning a <c>FileWriter</c> with <c>Size/Commit/Cancel</c>, <c>Move</c>, <c>Delete</c>,
/// <c>GetContent/PutContent</c> for link files. Here:
/// <list type="bullet">
/// <item><c>Stat</c>/<c>Reader</c>: <see cref="Stat"/>/<see cref="Reader"/> by digest (blobs are content-addressed, so paths are digests);</item>
/// <item><c>Writer(append)</c> + <c>FileWriter</c>: <see cref="Writer"/>, a resumable upload that <c>Complete</c>s (distribution's Commit + Move);</item>
/// <item><c>GetContent/PutContent</c> of link files: the metadata rows of <see cref="Images.Store.Registry.IRegistryStore"/>, kept transactional in SQLite;</item>
/// <item><c>Delete</c>: garbage collection in the store (the only deleter).</item>
/// </list>
/// <see cref="StoreStorageDriver"/> is the local file-system driver over the shared store; an object-store driver
/// would implement the same four calls.
/// </summary>
public interface IStorageDriver
{
    string Name { get; }

    /// <summary>Size of a stored blob, or null.</summary>
    BlobInfo? Stat(Digest digest);

    /// <summary>The blob's bytes from <paramref name="offset"/>.</summary>
    Stream Reader(Digest digest, long offset);

    /// <summary>Appends to a resumable upload (null when the session is unknown); one writer per session at a time.</summary>
    Images.Store.Registry.UploadWriter? Writer(string repository, string uploadId);

    /// <summary>Stores a whole blob in one stream (monolithic upload), verified against <paramref name="expected"/>.</summary>
    Task<BlobInfo> PutAsync(string repository, Stream content, Digest expected, long? size, CancellationToken cancellationToken);
}
