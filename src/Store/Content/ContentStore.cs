using Images.Core.Digests;
using Images.Platform;

namespace Images.Store.Content;

/// <summary>
/// Blobs as files under <c>content/blobs/&lt;alg&gt;/&lt;hex&gt;</c>. The file's presence is the truth: there is no
/// blob table to drift from it. Writes go through <see cref="BlobWriter"/> (ingest file, hash, fsync, verify, rename).
/// </summary>
public sealed class ContentStore : IContentStore
{
    private const int CopyBuffer = 1 << 16;
    private readonly StorePaths _paths;

    internal ContentStore(StorePaths paths) => _paths = paths;

    public BlobInfo? Info(Digest digest)
    {
        CheckDigest(digest);
        var file = new FileInfo(_paths.Blob(digest));
        return file.Exists ? new BlobInfo(digest, file.Length) : null;
    }

    public bool Exists(Digest digest)
    {
        CheckDigest(digest);
        return File.Exists(_paths.Blob(digest));
    }

    public Stream OpenRead(Digest digest)
    {
        CheckDigest(digest);
        try
        {
            return new FileStream(_paths.Blob(digest), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, CopyBuffer);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
    }

    /// <summary>
    /// Starts writing a blob to be pushed into as a stream (a layer compressed on the fly, a download).
    /// The hash algorithm is the expected digest's, else sha256.
    /// </summary>
    public BlobWriter BeginWrite(Digest? expected = null, long? expectedSize = null)
    {
        if (expected is { } d) CheckDigest(d);
        return new BlobWriter(_paths, expected, expectedSize);
    }

    public BlobInfo Write(Stream content, Digest? expected = null, long? expectedSize = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var writer = BeginWrite(expected, expectedSize);
        content.CopyTo(writer, CopyBuffer);
        return writer.Commit();
    }

    public async Task<BlobInfo> WriteAsync(Stream content, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        await using var writer = BeginWrite(expected, expectedSize);
        await content.CopyToAsync(writer, CopyBuffer, cancellationToken).ConfigureAwait(false);
        return writer.Commit();
    }

    public BlobInfo Write(ReadOnlySpan<byte> content, Digest? expected = null)
    {
        using var writer = BeginWrite(expected, content.Length);
        writer.Write(content);
        return writer.Commit();
    }

    public byte[] ReadAllBytes(Digest digest, long maxSize = 4 << 20)
    {
        using var stream = OpenRead(digest);
        if (stream.Length > maxSize)
            throw new InvalidDataException(
                $"blob {digest} has {stream.Length} bytes, more than the {maxSize} allowed for a manifest or config; it is not a document this store reads whole");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public IEnumerable<BlobInfo> List()
    {
        if (!Directory.Exists(_paths.Blobs)) yield break;
        foreach (var algorithmDir in Directory.EnumerateDirectories(_paths.Blobs).Order(StringComparer.Ordinal))
        {
            string algorithm = Path.GetFileName(algorithmDir);
            foreach (var file in Directory.EnumerateFiles(algorithmDir).Order(StringComparer.Ordinal))
            {
                // Names that are not digests are not blobs (nothing else writes here, but do not trust that).
                if (!Digest.TryParse($"{algorithm}:{Path.GetFileName(file)}", out var digest)) continue;
                long size;
                try { size = new FileInfo(file).Length; }
                catch (FileNotFoundException) { continue; }
                yield return new BlobInfo(digest, size);
            }
        }
    }

    /// <summary>
    /// Moves a verified file (same filesystem, already fsynced) to <paramref name="digest"/>'s place. When the blob is
    /// already stored the file is dropped instead: two writers of the same blob both succeed. Overwriting a racing
    /// writer's identical copy is harmless: both hold verified bytes.
    /// </summary>
    internal static void Publish(StorePaths paths, string file, Digest digest)
    {
        string directory = paths.BlobDirectory(digest.Algorithm);
        Directory.CreateDirectory(directory);
        string target = paths.Blob(digest);
        if (File.Exists(target))
        {
            File.Delete(file);
            return;
        }
        File.Move(file, target, overwrite: true);
        Files.FsyncDirectory(directory);
    }

    /// <summary>
    /// Stores a file written elsewhere in the store (a resumable registry upload) through its open, locked
    /// <paramref name="file"/>: fsyncs it, checks it against <paramref name="expected"/> (hashing it unless
    /// <paramref name="computed"/> already is its digest) and publishes it while the lock is still held.
    /// On a mismatch nothing is stored and the file is left where it was.
    /// </summary>
    internal BlobInfo Adopt(FileStream file, Digest expected, Digest? computed)
    {
        CheckDigest(expected);
        file.Flush(flushToDisk: true);
        long size = file.Length;
        Digest actual;
        if (computed is { } known && known.Algorithm == expected.Algorithm) actual = known;
        else
        {
            file.Position = 0;
            actual = Digest.Compute(file, expected.Algorithm);
        }
        if (actual != expected)
            throw new DigestMismatchException(
                $"uploaded content does not match its digest: expected {expected}, got {actual} ({size} bytes); nothing was stored");
        Publish(_paths, file.Name, expected);
        return new BlobInfo(expected, size);
    }

    /// <summary>Deletes a blob; false when it was not stored. Only garbage collection and repair call this.</summary>
    internal bool Delete(Digest digest)
    {
        string path = _paths.Blob(digest);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        Files.FsyncDirectory(Path.GetDirectoryName(path)!);
        return true;
    }

    /// <summary>When the blob's file was written (garbage collection's grace period counts from it).</summary>
    internal DateTimeOffset Modified(Digest digest) => new(File.GetLastWriteTimeUtc(_paths.Blob(digest)), TimeSpan.Zero);

    /// <summary>Hashes a stored blob's file and returns the digest its bytes actually have.</summary>
    internal Digest ComputeDigest(Digest digest)
    {
        using var stream = OpenRead(digest);
        return Digest.Compute(stream, digest.Algorithm);
    }

    /// <summary>Deletes ingest files no writer holds (left by a killed process); returns how many.</summary>
    internal int RemoveStaleIngests()
    {
        int removed = 0;
        if (!Directory.Exists(_paths.Ingest)) return 0;
        foreach (var file in Directory.EnumerateFiles(_paths.Ingest))
        {
            using var held = FileLock.TryAcquire(file, exclusive: true, wait: false);
            if (held is null) continue; // a live writer holds it
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    private static void CheckDigest(Digest digest)
    {
        if (digest.IsEmpty) throw new ArgumentException("the digest is empty", nameof(digest));
    }
}
