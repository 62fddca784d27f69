using System.IO.Compression;
using Images.Core.Oci;

namespace Images.Archive;

/// <summary>Recognises and opens the compressions a layer blob may use: gzip, zstd, or none.</summary>
public static class Compression
{
    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];
    private static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xb5, 0x2f, 0xfd];

    /// <summary>Bytes <see cref="Detect"/> needs to decide.</summary>
    public const int MagicLength = 4;

    /// <summary>The compression a stream starting with <paramref name="header"/> uses (anything unknown is taken as a plain tar).</summary>
    public static LayerCompression Detect(ReadOnlySpan<byte> header) =>
        header.StartsWith(ZstdMagic) ? LayerCompression.Zstd
        : header.StartsWith(GzipMagic) ? LayerCompression.Gzip
        : LayerCompression.None;

    /// <summary>
    /// Sniffs the compression of <paramref name="input"/> and returns a stream of its decompressed bytes. Works on
    /// non-seekable streams: the sniffed bytes are replayed in front of the rest.
    /// </summary>
    public static Stream OpenDecompressed(Stream input, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var magic = new byte[MagicLength];
        int length = 0;
        while (length < magic.Length)
        {
            int read = input.Read(magic, length, magic.Length - length);
            if (read == 0) break;
            length += read;
        }
        var replayed = new ReplayStream(magic.AsMemory(0, length), input, leaveOpen);
        return Detect(magic.AsSpan(0, length)) switch
        {
            LayerCompression.Gzip => new GZipStream(replayed, CompressionMode.Decompress, leaveOpen: false),
            LayerCompression.Zstd => new ZstdSharp.DecompressionStream(replayed, leaveOpen: false),
            _ => replayed,
        };
    }

    /// <summary>
    /// A stream that compresses what is written to it into <paramref name="output"/>. Dispose it to flush the
    /// compressed trailer. gzip uses <see cref="CompressionLevel.Optimal"/>: measured (bench/archive) it makes
    /// blobs as small as <c>gzip -6</c> (what Docker pushes) for half GNU tar's CPU, where Fastest saves another
    /// half of the CPU but makes layers ~20% larger, which every pull then pays for.
    /// </summary>
    public static Stream OpenCompressor(Stream output, LayerCompression compression, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        return compression switch
        {
            LayerCompression.None => leaveOpen ? new NonClosingStream(output) : output,
            LayerCompression.Gzip => new GZipStream(output, CompressionLevel.Optimal, leaveOpen),
            LayerCompression.Zstd => new ZstdSharp.CompressionStream(output, level: 3, leaveOpen: leaveOpen),
            _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "unknown layer compression"),
        };
    }
}
