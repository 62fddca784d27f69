using Images.Core.Digests;
using Images.Platform;

namespace Images.Store.Content;

/// <summary>
/// A blob being written: bytes go to an ingest file (flocked while this writer lives, so recovery on open can tell
/// a live ingest from a stale one) and through a hasher. <see cref="Commit"/> makes the blob visible after checking
/// size and digest; disposing without committing deletes the ingest file. Nothing partial is ever visible.
/// </summary>
public sealed class BlobWriter : Stream
{
    private readonly StorePaths _paths;
    private readonly Digest? _expected;
    private readonly long? _expectedSize;
    private readonly DigestHasher _hasher;
    private readonly string _ingestPath;
    private FileStream? _file;
    private BlobInfo? _committed;

    internal BlobWriter(StorePaths paths, Digest? expected, long? expectedSize)
    {
        if (expectedSize < 0) throw new ArgumentOutOfRangeException(nameof(expectedSize), "a blob size cannot be negative");
        _paths = paths;
        _expected = expected;
        _expectedSize = expectedSize;
        _hasher = DigestHasher.Create(expected?.Algorithm ?? Digest.Sha256);
        _ingestPath = Path.Combine(paths.Ingest, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        // FileShare.None makes .NET take an exclusive flock on the file for as long as it is open.
        _file = new FileStream(_ingestPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten => _hasher.BytesHashed;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => _file is not null && _committed is null;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Flush() => _file?.Flush();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        CheckWritable(buffer.Length);
        _file!.Write(buffer);
        _hasher.Append(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckWritable(buffer.Length);
        await _file!.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hasher.Append(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void CheckWritable(int count)
    {
        ObjectDisposedException.ThrowIf(_file is null, this);
        if (_committed is not null) throw new InvalidOperationException("the blob is already committed");
        if (_expectedSize is { } size && BytesWritten + count > size)
            throw new DigestMismatchException(
                $"blob {Describe()} is longer than the expected {size} bytes; nothing was stored (the source is corrupt or not the blob it claims to be)");
    }

    /// <summary>
    /// Verifies and stores the blob: fsyncs the ingest file, checks size and digest, renames it to its digest's
    /// place (when another writer stored it first, this copy is dropped: both succeed) and fsyncs the directory.
    /// </summary>
    /// <exception cref="DigestMismatchException">size or digest differ from the expected ones; nothing is stored.</exception>
    public BlobInfo Commit()
    {
        if (_committed is { } done) return done;
        ObjectDisposedException.ThrowIf(_file is null, this);
        _file.Flush(flushToDisk: true);
        long size = BytesWritten;
        var actual = _hasher.Finish();
        try
        {
            if (_expectedSize is { } expectedSize && size != expectedSize)
                throw new DigestMismatchException(
                    $"blob {Describe()} has {size} bytes, expected {expectedSize}; nothing was stored (the source is truncated or corrupt: fetch it again)");
            if (_expected is { } expected && expected != actual)
                throw new DigestMismatchException(
                    $"blob content does not match its digest: expected {expected}, got {actual} ({size} bytes); nothing was stored (the source is corrupt or was changed while read: fetch it again)");

            // Renamed while still holding the flock, so recovery never sees the file unlocked in ingest/.
            ContentStore.Publish(_paths, _ingestPath, actual);
        }
        catch
        {
            Discard();
            throw;
        }
        _file.Dispose();
        _file = null;
        _committed = new BlobInfo(actual, size);
        return _committed;
    }

    private string Describe() => _expected?.ToString() ?? "being written";

    private void Discard()
    {
        var file = _file;
        _file = null;
        file?.Dispose();
        try { File.Delete(_ingestPath); }
        catch (IOException) { } // recovery on the next open deletes what is left
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_committed is null) Discard();
            _hasher.Dispose();
        }
        base.Dispose(disposing);
    }
}
