using System.Text;

namespace Images.Archive;

/// <summary>The PAX keywords xattrs travel in: <c>SCHILY.xattr.NAME=raw</c> (star, GNU tar, Go, Docker) and libarchive's <c>LIBARCHIVE.xattr.ESCAPED=base64</c>.</summary>
internal static class PaxXattrs
{
    public const string SchilyPrefix = "SCHILY.xattr.";
    public const string LibarchivePrefix = "LIBARCHIVE.xattr.";

    private static readonly UTF8Encoding Strict = new(false, true);

    public static bool IsUtf8(byte[] value)
    {
        try { Strict.GetCharCount(value); return true; }
        catch (DecoderFallbackException) { return false; }
    }

    /// <summary>
    /// The xattrs of a PAX entry as System.Formats.Tar decoded them. libarchive records win (exact bytes); a SCHILY
    /// value that was not valid UTF-8 cannot be recovered and is refused rather than written corrupted.
    /// </summary>
    public static List<KeyValuePair<string, byte[]>> Read(IReadOnlyDictionary<string, string> attributes, string entry)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            if (key.StartsWith(LibarchivePrefix, StringComparison.Ordinal))
            {
                try { result[Uri.UnescapeDataString(key[LibarchivePrefix.Length..])] = Convert.FromBase64String(value); }
                catch (FormatException e) { throw ArchiveException.ForEntry(entry, $"PAX record {key} is not base64 ({e.Message})"); }
            }
        }
        foreach (var (key, value) in attributes)
        {
            if (!key.StartsWith(SchilyPrefix, StringComparison.Ordinal)) continue;
            string name = key[SchilyPrefix.Length..];
            if (result.ContainsKey(name)) continue;
            if (value.Contains('\uFFFD'))
                throw ArchiveException.ForEntry(entry, $"xattr {name} has a binary value that System.Formats.Tar cannot read back exactly; re-create the layer with a LIBARCHIVE.xattr record (bsdtar, or this tool)");
            result[name] = Encoding.UTF8.GetBytes(value);
        }
        return [.. result];
    }
}
