using System.Formats.Tar;
using Images.Archive;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store.Content;

namespace Images.Store.Transfer;

/// <summary>
/// An image archive in a tar (optionally gzip- or zstd-compressed), read once, front to back: a docker-archive's
/// manifest.json may come last, so every file that may be a blob is put into the content store as it passes
/// (under the digest its OCI path names, verified, or under the digest of its content), and the documents are kept
/// in memory. Blobs nothing refers to afterwards are garbage the next prune removes.
/// </summary>
internal sealed class TarArchiveSource : IArchiveSource
{
    private const int MaxLinkHops = 16;

    private readonly IContentStore _content;
    private readonly Dictionary<string, byte[]> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlobInfo> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<Digest, long> _blobs = [];

    private TarArchiveSource(string name, IContentStore content)
    {
        Name = name;
        _content = content;
    }

    public string Name { get; }

    /// <summary>Reads the whole tar at <paramref name="path"/>, storing its blobs.</summary>
    public static TarArchiveSource Read(string path, IContentStore content)
    {
        var source = new TarArchiveSource(path, content);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var input = Compression.OpenDecompressed(file, leaveOpen: true);
        using var reader = new TarReader(input, leaveOpen: true);
        string? current = null;
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                current = entry.Name;
                source.Take(entry);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ArchiveException)
        {
            string where = current is null ? "at its start" : $"after entry \"{current}\"";
            throw new TransferException(
                $"{path}: the archive is truncated or is not a valid tar ({where}: {e.Message}); nothing was loaded. " +
                "Make the archive again (images save, docker save or skopeo copy) and load it anew.", e);
        }
        catch (DigestMismatchException e)
        {
            throw new TransferException(
                $"{path}: entry \"{current}\" does not match the digest or size it declares ({e.Message}); the archive is corrupt " +
                "or truncated and nothing was loaded. Make the archive again.", e);
        }
        return source;
    }

    private void Take(TarEntry entry)
    {
        if (ArchivePaths.Normalize(entry.Name) is not { } path) return;
        switch (entry.EntryType)
        {
            case TarEntryType.SymbolicLink:
                if (ArchivePaths.ResolveLink(path, entry.LinkName) is { } target) _links[path] = target;
                return;
            case TarEntryType.HardLink:
                if (ArchivePaths.Normalize(entry.LinkName) is { } linked) _links[path] = linked;
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                break;
            default:
                return;
        }
        // The reader owns the data stream and skips what is left of it at the next entry.
        var data = entry.DataStream ?? Stream.Null;
        if (ArchivePaths.IsDocument(path))
        {
            if (entry.Length > ArchivePaths.MaxDocumentSize)
                throw new TransferException($"{Name}: {path} is {entry.Length} bytes, far larger than any real one: the archive is not an image archive.");
            var buffer = new MemoryStream((int)entry.Length);
            data.CopyTo(buffer);
            _documents[path] = buffer.ToArray();
            return;
        }
        if (ArchivePaths.IsLegacyMetadata(path)) return;
        var declared = ArchivePaths.DigestOfBlobPath(path);
        var info = _content.Write(data, declared, entry.Length);
        _files[path] = info;
        _blobs[info.Digest] = info.Size;
    }

    public byte[]? ReadDocument(string name) => _documents.GetValueOrDefault(name);

    public void Fetch(Descriptor descriptor, string role)
    {
        if (_blobs.TryGetValue(descriptor.Digest, out long size))
        {
            if (size != descriptor.Size)
                throw new TransferException(
                    $"{Name}: {role} {descriptor.Digest} is {size} bytes but is described as {descriptor.Size}: the archive is corrupt; make it again.");
            return;
        }
        // An archive may leave out blobs the store already has (docker save of images that share layers does not, but others may).
        if (_content.Info(descriptor.Digest) is { } stored && stored.Size == descriptor.Size) return;
        throw new TransferException(
            $"{Name}: {role} {descriptor.Digest} is not in the archive ({ArchivePaths.BlobPath(descriptor.Digest)} is missing) " +
            "and not in the store: the archive is incomplete or names a wrong digest; make it again.");
    }

    public BlobInfo FetchFile(string path, string role)
    {
        string? current = ArchivePaths.Normalize(path);
        for (int hop = 0; current is not null && hop <= MaxLinkHops; hop++)
        {
            if (_files.TryGetValue(current, out var info)) return info;
            current = _links.GetValueOrDefault(current);
        }
        throw new TransferException($"{Name}: {role} \"{path}\" is not a file in the archive: the archive is incomplete; make it again.");
    }
}
