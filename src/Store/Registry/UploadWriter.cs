using Images.Core.Digests;
using Images.Store.Content;

namespace Images.Store.Registry;

/// <summary>
/// Exclusive access to one upload session's data: bytes written are appended to the session's file (the file's
/// length is the truth of how much was received, so a dropped connection leaves a resumable upload), and hashed
/// on the way while this process has seen every byte, so completing a streamed upload does not read it again.
/// <see cref="Complete"/> verifies the digest and publishes the blob through the content store; a partial blob is
/// never visible. Disposing without completing keeps the session for the next chunk.
/// </summary>
public sealed class UploadWriter : Stream
{
    private readonly UploadStore _uploads;
    private readonly string _id;
    private FileStream? _file;
    private DigestHasher? _hasher;
    private BlobInfo? _completed;

    internal UploadWriter(UploadStore uploads, string id, FileStream file, DigestHasher? hasher, UploadSession session)
    {
        _uploads = uploads;
        _id = id;
        _file = file;
        _hasher = hasher;
        Session = session;
        file.Seek(0, SeekOrigin.End);
    }

    public UploadSession Session { get; }

    /// <summary>Bytes the session holds, including what this writer appended.</summary>
    public long Size => _file?.Length ?? 0;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => _file is not null && _completed is null;
    public override long Length => Size;
    public override long Position { get => Size; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Flush() => _file?.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => _file?.FlushAsync(cancellationToken) ?? Task.CompletedTask;
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var file = Writable();
        try { file.Write(buffer); }
        catch { DropHasher(); throw; }
        _hasher?.Append(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var file = Writable();
        try { await file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false); }
        catch { DropHasher(); throw; }
        _hasher?.Append(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// Verifies the whole upload against <paramref name="expected"/>, stores it as a blob, links it into the
    /// session's repository and ends the session.
    /// </summary>
    /// <exception cref="DigestMismatchException">the bytes are not <paramref name="expected"/>; the session is kept (nothing is stored).</exception>
    public BlobInfo Complete(Digest expected)
    {
        if (_completed is { } done) return done;
        var file = Writable();
        file.Flush();
        // The cached hash is only trusted when it covers every byte of the file.
        Digest? computed = _hasher is { } h && h.BytesHashed == file.Length ? h.Finish() : null;
        DropHasher();
        _completed = _uploads.Complete(_id, Session.Repository, file, expected, computed);
        Close();
        return _completed;
    }

    private FileStream Writable()
    {
        ObjectDisposedException.ThrowIf(_file is null, this);
        if (_completed is not null) throw new InvalidOperationException($"upload {_id} is already complete");
        return _file;
    }

    private void DropHasher()
    {
        _hasher?.Dispose();
        _hasher = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            var file = _file;
            _file = null;
            if (file is not null)
            {
                if (_completed is null) _uploads.Release(_id, _hasher, file.Length);
                else _hasher?.Dispose();
                _hasher = null;
                file.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
