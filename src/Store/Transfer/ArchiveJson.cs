using Images.Core.Oci;
using Images.Store.Content;
using Images.Core.Digests;

namespace Images.Store.Transfer;

/// <summary>Parses an archive's JSON documents and blobs, turning a malformed one into a <see cref="TransferException"/> that names it.</summary>
internal static class ArchiveJson
{
    public static T Parse<T>(ReadOnlySpan<byte> bytes, string archive, string what)
    {
        try
        {
            return OciJson.Parse<T>(bytes, what);
        }
        catch (FormatException e)
        {
            throw new TransferException($"{archive}: {e.Message}; the archive is corrupt or not an image archive.", e);
        }
    }

    /// <summary>Reads a stored blob (a manifest, an index, a config) and parses it.</summary>
    public static (byte[] Bytes, T Value) ReadBlob<T>(IContentStore content, Digest digest, string archive, string what)
    {
        byte[] bytes = content.ReadAllBytes(digest);
        return (bytes, Parse<T>(bytes, archive, $"{what} {digest}"));
    }
}
