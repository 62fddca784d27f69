namespace Images.Core.Digests;

/// <summary>
/// A read-only pass-through stream that hashes every byte read from (or written to) the inner stream,
/// so a layer can be applied and its digest known in one pass.
/// </summary>
public sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly DigestHasher _hasher;
    private readonly bool _leaveOpen;

    public HashingStream(Stream inner, string algorithm = Digest.Sha256, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _hasher = DigestHasher.Create(algorithm);
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes that passed through so far.</summary>
    public long BytesHashed => _hasher.BytesHashed;

    /// <summary>The digest of all bytes that passed through. Call once, after the last byte.</summary>
    public Digest GetDigest() => _hasher.Finish();

    /// <summary>Reads whatever the consumer left unread, so the digest covers the whole stream.</summary>
    public void Drain()
    {
        byte[] buffer = new byte[1 << 16];
        while (Read(buffer, 0, buffer.Length) > 0) { }
    }

    public override bool CanRead => _inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => _inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _hasher.BytesHashed; set => throw new NotSupportedException(); }
    public override void Flush() => _inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        _hasher.Append(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hasher.Append(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        _hasher.Append(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hasher.Append(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hasher.Dispose();
            if (!_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
