using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Images.Inspect;

/// <summary>
/// Reads the headers of an uncompressed layer tar, one at a time: the data is skipped (or, when asked, hashed as it
/// streams past), so memory does not grow with the layer.
/// </summary>
public static class LayerEntries
{
    private const string XattrPrefix = "SCHILY.xattr.";

    /// <param name="tar">The uncompressed layer tar; read to its end, not disposed.</param>
    /// <param name="layer">The layer as messages name it.</param>
    /// <param name="hashContent">Compute the sha256 of every regular file (for diffs); else the data is only skipped.</param>
    public static IEnumerable<LayerEntry> Read(Stream tar, string layer, bool hashContent = false)
    {
        ArgumentNullException.ThrowIfNull(tar);
        using var reader = new TarReader(tar, leaveOpen: true);
        string? previous = null;
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = reader.GetNextEntry(copyData: false);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException)
            {
                string where = previous is null ? "at its start" : $"after entry \"{previous}\"";
                throw new InspectException(
                    $"{layer}: the layer tar is truncated or corrupt ({where}: {e.Message}); the image is damaged: pull, load or build it again.", e);
            }
            if (entry is null) yield break;
            previous = entry.Name;
            if (ToEntry(entry, layer, hashContent) is { } result) yield return result;
        }
    }

    private static LayerEntry? ToEntry(TarEntry entry, string layer, bool hashContent)
    {
        FileType? type = entry.EntryType switch
        {
            TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile or TarEntryType.HardLink => FileType.File,
            TarEntryType.Directory => FileType.Directory,
            TarEntryType.SymbolicLink => FileType.Symlink,
            TarEntryType.CharacterDevice => FileType.CharDevice,
            TarEntryType.BlockDevice => FileType.BlockDevice,
            TarEntryType.Fifo => FileType.Fifo,
            _ => null, // global headers, sparse or vendor entries: nothing a root filesystem shows
        };
        if (type is null) return null;
        string path = Normalize(entry.Name)
            ?? throw new InspectException($"{layer}: entry \"{entry.Name}\" leaves the root filesystem (..); the layer is hostile or corrupt: do not use this image.");
        bool hardLink = entry.EntryType == TarEntryType.HardLink;
        string? hardLinkTarget = null;
        if (hardLink)
            hardLinkTarget = Normalize(entry.LinkName)
                ?? throw new InspectException($"{layer}: hard link \"{entry.Name}\" points outside the root filesystem (\"{entry.LinkName}\"); the layer is hostile or corrupt.");
        long size = type == FileType.File && !hardLink ? entry.Length : 0;
        string? digest = hashContent && type == FileType.File && !hardLink ? Hash(entry.DataStream) : null;
        var facts = new FileFacts(
            type.Value, size, (int)entry.Mode & 0xfff, entry.Uid, entry.Gid,
            type == FileType.Symlink ? entry.LinkName : null,
            entry is PosixTarEntry p && type is FileType.CharDevice or FileType.BlockDevice ? p.DeviceMajor : 0,
            entry is PosixTarEntry q && type is FileType.CharDevice or FileType.BlockDevice ? q.DeviceMinor : 0,
            Xattrs(entry), digest);
        return new LayerEntry(path, facts, size, hardLinkTarget);
    }

    private static string Hash(Stream? data)
    {
        if (data is null) return Convert.ToHexStringLower(SHA256.HashData([]));
        return Convert.ToHexStringLower(SHA256.HashData(data));
    }

    private static string? Xattrs(TarEntry entry)
    {
        if (entry is not PaxTarEntry pax) return null;
        StringBuilder? text = null;
        foreach (var (key, value) in pax.ExtendedAttributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith(XattrPrefix, StringComparison.Ordinal)) continue;
            text ??= new StringBuilder();
            text.Append(key, XattrPrefix.Length, key.Length - XattrPrefix.Length).Append('=').Append(value).Append('\n');
        }
        return text?.ToString();
    }

    /// <summary><c>/a/b</c> for <c>./a/b/</c>, <c>a//b</c> or <c>/a/b</c>; <c>/</c> for the root; null when a <c>..</c> leaves the root.</summary>
    public static string? Normalize(string name)
    {
        var path = new StringBuilder();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..") return null;
            path.Append('/').Append(part);
        }
        return path.Length == 0 ? "/" : path.ToString();
    }
}
