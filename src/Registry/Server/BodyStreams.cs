using System.Buffers;
using System.IO.Pipelines;
using Images.Registry.Distribution;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server;

/// <summary>Moving bodies without holding them: request pipe to a stream, a stream range to the response pipe.</summary>
internal static class BodyStreams
{
    /// <summary>Writes the request body into <paramref name="target"/> segment by segment as Kestrel's pipe fills; returns the bytes copied.</summary>
    public static async Task<long> CopyRequestAsync(HttpRequest request, Stream target, CancellationToken cancel)
    {
        var reader = request.BodyReader;
        long copied = 0;
        while (true)
        {
            var result = await reader.ReadAsync(cancel).ConfigureAwait(false);
            var buffer = result.Buffer;
            foreach (var segment in buffer)
            {
                await target.WriteAsync(segment, cancel).ConfigureAwait(false);
                copied += segment.Length;
            }
            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted) return copied;
        }
    }

    /// <summary>Reads a small body (a manifest) whole, refusing more than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]> ReadSmallAsync(HttpRequest request, int limit, CancellationToken cancel)
    {
        if (request.ContentLength > limit) throw TooBig(limit);
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancel).ConfigureAwait(false);
            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.End);
                throw TooBig(limit);
            }
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Copies <paramref name="count"/> bytes of <paramref name="source"/> into the response pipe.</summary>
    public static async Task SendAsync(Stream source, long count, HttpResponse response, CancellationToken cancel)
    {
        var writer = response.BodyWriter;
        while (count > 0)
        {
            var memory = writer.GetMemory(64 << 10);
            int want = (int)Math.Min(memory.Length, count);
            int n = await source.ReadAsync(memory[..want], cancel).ConfigureAwait(false);
            if (n == 0) throw new IOException($"blob ended {count} bytes early while sent (was it deleted or truncated?)");
            writer.Advance(n);
            count -= n;
            var flushed = await writer.FlushAsync(cancel).ConfigureAwait(false);
            if (flushed.IsCanceled || flushed.IsCompleted) return;
        }
    }

    private static RegistryException TooBig(int limit) =>
        new(ErrorCode.ManifestTooBig, $"manifest is larger than the {limit} bytes this registry accepts");
}
