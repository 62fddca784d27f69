using System.Globalization;

namespace Images.Registry.Distribution;

/// <summary>
/// An inclusive byte range <c>[First, Last]</c> and the three header forms the protocol uses for it:
/// a request's <c>Range: bytes=F-L</c> (also <c>bytes=F-</c> and the suffix <c>bytes=-N</c>), a 206's
/// <c>Content-Range: bytes F-L/Size</c>, and an upload's <c>Content-Range: F-L</c> / <c>Range: 0-L</c>
/// (no unit, as the distribution spec writes them).
/// </summary>
public readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    /// <summary>
    /// Parses a request's single <c>Range</c> header against a blob of <paramref name="size"/> bytes.
    /// Returns false when the header is not a single byte range we understand (serve the whole blob, as HTTP allows);
    /// throws RANGE_INVALID (416) when it is well-formed but outside the blob.
    /// </summary>
    public static bool TryParseRequest(string? header, long size, out ByteRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(header)) return false;
        header = header.Trim();
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return false;
        var spec = header[6..].Trim();
        if (spec.Contains(',')) return false; // multipart ranges: whole blob instead
        int dash = spec.IndexOf('-');
        if (dash < 0) return false;
        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.Length == 0)
        {
            if (!TryLong(lastText, out long suffix)) return false;
            if (suffix == 0 || size == 0) throw Unsatisfiable(header, size);
            range = new ByteRange(Math.Max(0, size - suffix), size - 1);
            return true;
        }
        if (!TryLong(firstText, out long first)) return false;
        long last = size - 1;
        if (lastText.Length > 0)
        {
            if (!TryLong(lastText, out last)) return false;
            if (last < first) return false; // syntactically invalid: ignored per RFC 9110
        }
        if (first >= size) throw Unsatisfiable(header, size);
        range = new ByteRange(first, Math.Min(last, size - 1));
        return true;
    }

    /// <summary>A 206's <c>Content-Range</c>: <c>bytes F-L/Size</c>.</summary>
    public string ToContentRange(long size) => $"bytes {First}-{Last}/{size}";

    /// <summary>The 416 answer's <c>Content-Range</c>: <c>bytes */Size</c>.</summary>
    public static string UnsatisfiedContentRange(long size) => $"bytes */{size}";

    /// <summary>An upload's progress header (<c>Range</c> of a 202/204): <c>0-(size-1)</c>, and <c>0-0</c> before the first byte, as distribution answers.</summary>
    public static string UploadProgress(long size) => $"0-{Math.Max(0, size - 1)}";

    /// <summary>Parses a chunk's <c>Content-Range: F-L</c> (a <c>bytes </c> unit is tolerated).</summary>
    public static bool TryParseUploadChunk(string? header, out ByteRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(header)) return false;
        var text = header.Trim();
        if (text.StartsWith("bytes", StringComparison.OrdinalIgnoreCase)) text = text[5..].TrimStart(' ', '=');
        int slash = text.IndexOf('/');
        if (slash >= 0) text = text[..slash];
        int dash = text.IndexOf('-');
        if (dash <= 0) return false;
        if (!TryLong(text[..dash], out long first) || !TryLong(text[(dash + 1)..], out long last) || last < first) return false;
        range = new ByteRange(first, last);
        return true;
    }

    /// <summary>Formats a chunk's <c>Content-Range: F-L</c>.</summary>
    public string ToUploadChunk() => $"{First}-{Last}";

    /// <summary>Parses an upload progress <c>Range: 0-L</c>: the number of bytes the server holds.</summary>
    public static bool TryParseUploadProgress(string? header, out long received)
    {
        received = 0;
        if (!TryParseUploadChunk(header, out var range)) return false;
        received = range.Last + 1;
        return true;
    }

    private static bool TryLong(string s, out long value) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static RegistryException Unsatisfiable(string header, long size) =>
        new(ErrorCode.RangeInvalid, $"range \"{header}\" is outside the blob's {size} bytes");
}
