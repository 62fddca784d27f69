using Images.Core.Oci;
using Images.Store.Content;

namespace Images.Store.Transfer;

/// <summary>
/// An image archive unpacked in a directory (an OCI image layout as skopeo and umoci write it, or an extracted
/// docker-archive): blobs are copied into the content store only when an image refers to them.
/// </summary>
internal sealed class DirectoryArchiveSource(string root, IContentStore content) : IArchiveSource
{
    private readonly Dictionary<string, BlobInfo> _files = new(StringComparer.Ordinal);

    public string Name => root;

    public byte[]? ReadDocument(string name)
    {
        var file = new FileInfo(Path.Combine(root, name));
        if (!file.Exists) return null;
        if (file.Length > ArchivePaths.MaxDocumentSize)
            throw new TransferException($"{root}: {name} is {file.Length} bytes, far larger than any real one: the directory is not an image layout.");
        return File.ReadAllBytes(file.FullName);
    }

    public void Fetch(Descriptor descriptor, string role)
    {
        if (content.Info(descriptor.Digest) is { } stored && stored.Size == descriptor.Size) return;
        string relative = ArchivePaths.BlobPath(descriptor.Digest);
        string path = Path.Combine(root, relative);
        if (!File.Exists(path))
            throw new TransferException(
                $"{root}: {role} {descriptor.Digest} is not in the layout ({relative} is missing): the layout is incomplete " +
                "or names a wrong digest; make it again.");
        using var stream = OpenFile(path);
        try
        {
            content.Write(stream, descriptor.Digest, descriptor.Size);
        }
        catch (DigestMismatchException e)
        {
            throw new TransferException($"{root}: {relative} does not match its {role} descriptor ({e.Message}): the layout is corrupt; make it again.", e);
        }
    }

    public BlobInfo FetchFile(string path, string role)
    {
        string relative = ArchivePaths.Normalize(path)
            ?? throw new TransferException($"{root}: {role} \"{path}\" points outside the archive: refusing to read it.");
        if (_files.TryGetValue(relative, out var known)) return known;
        string full = Path.Combine(root, relative);
        if (!File.Exists(full))
            throw new TransferException($"{root}: {role} \"{path}\" is not a file in the directory: the archive is incomplete; make it again.");
        using var stream = OpenFile(full);
        var declared = ArchivePaths.DigestOfBlobPath(relative);
        try
        {
            return _files[relative] = content.Write(stream, declared);
        }
        catch (DigestMismatchException e)
        {
            throw new TransferException($"{root}: {relative} does not match the digest its name declares ({e.Message}): the archive is corrupt; make it again.", e);
        }
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
}
