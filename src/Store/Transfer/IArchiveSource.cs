using Images.Core.Oci;
using Images.Store.Content;

namespace Images.Store.Transfer;

/// <summary>
/// An image archive being loaded: its small documents and its blobs, which it puts into the content store
/// (verified there) when asked. A tar has been read through once already; a directory is read on demand.
/// </summary>
internal interface IArchiveSource
{
    /// <summary>The archive as the user named it, for messages.</summary>
    string Name { get; }

    /// <summary>A document at the archive root (<c>index.json</c>, <c>manifest.json</c>, <c>oci-layout</c>), or null when absent.</summary>
    byte[]? ReadDocument(string name);

    /// <summary>Makes sure the blob <paramref name="descriptor"/> names is in the content store.</summary>
    /// <exception cref="TransferException">the archive lacks it, or its content does not match the descriptor.</exception>
    void Fetch(Descriptor descriptor, string role);

    /// <summary>The blob stored from the file at <paramref name="path"/> (a docker-archive names files, not digests).</summary>
    /// <exception cref="TransferException">the archive has no such file.</exception>
    BlobInfo FetchFile(string path, string role);
}
