using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;
using SharpCompress.Compressors.Xz;

namespace Images.Builder.Engine;

/// <summary>
/// ADD's archive detection: a local file that is a tar, plain or compressed with gzip, bzip2, xz or zstd, is
/// extracted instead of copied (as Docker's <c>archive.IsArchivePath</c>); anything else is copied as it is.
/// </summary>
internal static class LocalArchive
{
    /// <summary>The decompressed tar of <paramref name="path"/>, or null when the file is not a (compressed) tar.</summary>
    public static Stream? TryOpenTar(string path)
    {
        var header = new byte[512];
        using (var probe = OpenDecompressed(path))
        {
            int length = 0;
            try
            {
                while (length < header.Length && probe.Read(header, length, header.Length - length) is > 0 and var read) length += read;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException or BZip2Exception or SharpCompress.Common.ArchiveException)
            {
                return null; // a compressed file whose data is not what its magic says: copied as it is
            }
            if (length < header.Length || !IsTarHeader(header)) return null;
        }
        return OpenDecompressed(path);
    }

    private static Stream OpenDecompressed(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var magic = new byte[6];
        int length = file.Read(magic);
        file.Position = 0;
        ReadOnlySpan<byte> m = magic.AsSpan(0, length);
        if (m.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b])) return new GZipStream(file, CompressionMode.Decompress);
        if (m.StartsWith("BZh"u8)) return new BZip2InputStream(file);
        if (m.StartsWith((ReadOnlySpan<byte>)[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return new XZStream(file);
        if (m.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd])) return new ZstdSharp.DecompressionStream(file);
        return file;
    }

    /// <summary>A ustar/GNU magic, or a v7 header whose checksum is right.</summary>
    private static bool IsTarHeader(byte[] h)
    {
        if (h.AsSpan(257, 5).SequenceEqual("ustar"u8)) return true;
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? (byte)' ' : h[i];
        string stored = Encoding.ASCII.GetString(h, 148, 8).Trim('\0', ' ');
        if (stored.Length == 0 || h[0] == 0 || stored.Any(c => c is < '0' or > '7')) return false;
        return Convert.ToInt64(stored, 8) == sum;
    }
}
