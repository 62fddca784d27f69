using Images.Core.Digests;

namespace Images.Registry.Client;

/// <summary>
/// Progress of a push or pull, blob by blob. Called from several threads at once (blobs move in parallel):
/// implementations synchronize themselves.
/// </summary>
public interface ITransferProgress
{
    /// <summary>A blob's transfer starts (or is about to be decided: exists, mounted).</summary>
    void Start(Digest digest, long size, string status);

    /// <summary><paramref name="bytes"/> more bytes of the blob moved.</summary>
    void Advance(Digest digest, long bytes);

    /// <summary>The blob is done: "Pushed", "Layer already exists", "Mounted from …", "Pull complete", "Already exists".</summary>
    void Finish(Digest digest, string status);
}
