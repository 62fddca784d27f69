using System.Net;

namespace Images.Registry.Client;

/// <summary>
/// <c>[offset, offset+length)</c> of a stored blob as a request body, read straight from the content store's file
/// (never buffered whole), reporting each piece sent.
/// </summary>
internal sealed class BlobRangeContent : HttpContent
{
    private const int BufferSize = 1 << 20;
    private readonly Func<Stream> _open;
    private readonly long _offset;
    private readonly long _length;
    private readonly Action<long> _sent;

    public BlobRangeContent(Func<Stream> open, long offset, long length, Action<long> sent)
    {
        _open = open;
        _offset = offset;
        _length = length;
        _sent = sent;
        Headers.ContentType = new("application/octet-stream");
        Headers.ContentLength = length;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var source = _open();
        source.Seek(_offset, SeekOrigin.Begin);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long left = _length;
            while (left > 0)
            {
                int read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0) throw new IOException($"the stored blob ended {left} bytes early (it changed while being sent; run 'images check')");
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                left -= read;
                _sent(read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
