using System.Buffers;
using System.Text;

namespace Images.Archive;

/// <summary>One entry to write: numeric owners, no user/group names, mtime in whole seconds (as Docker writes).</summary>
internal sealed record TarHeader(string Name, byte TypeFlag)
{
    public const byte Regular = (byte)'0', HardLink = (byte)'1', Symlink = (byte)'2', CharDevice = (byte)'3',
        BlockDevice = (byte)'4', Directory = (byte)'5', Fifo = (byte)'6';

    public uint Mode { get; init; }
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public long Size { get; init; }
    public long MtimeSeconds { get; init; }
    public string? LinkName { get; init; }
    public uint DevMajor { get; init; }
    public uint DevMinor { get; init; }
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; init; } = [];
}

/// <summary>
/// Writes ustar headers, preceded by a PAX extended header only when a field does not fit (long or non-ASCII
/// names, big sizes or ids) or the entry has xattrs. System.Formats.Tar's own PAX writer names its extended
/// headers after the process id and adds atime/ctime, so its output differs between runs; this writer emits
/// exactly the header fields given and nothing else, so the same tree gives the same bytes.
/// </summary>
internal sealed class TarHeaderWriter(Stream output)
{
    private const int Block = 512;
    private readonly byte[] _header = new byte[Block];
    private readonly byte[] _copyBuffer = new byte[256 * 1024];

    public void Write(TarHeader header, Stream? data)
    {
        var pax = PaxRecords(header);
        if (pax is not null) WritePaxHeader(header.Name, pax);
        WriteUstar(header);
        if (header.Size > 0) CopyData(header, data ?? throw new ArgumentNullException(nameof(data)));
    }

    /// <summary>The end-of-archive marker: two zero blocks.</summary>
    public void Finish()
    {
        Array.Clear(_header);
        output.Write(_header);
        output.Write(_header);
        output.Flush();
    }

    private void CopyData(TarHeader header, Stream data)
    {
        long remaining = header.Size;
        while (remaining > 0)
        {
            int read = data.Read(_copyBuffer, 0, (int)Math.Min(_copyBuffer.Length, remaining));
            if (read == 0)
                throw new ArchiveException($"'{header.Name}' shrank while it was being archived ({header.Size - remaining} of {header.Size} bytes); archive a tree nobody writes to");
            output.Write(_copyBuffer, 0, read);
            remaining -= read;
        }
        WritePadding(header.Size);
    }

    private void WritePadding(long size)
    {
        int pad = (int)((Block - size % Block) % Block);
        if (pad > 0) output.Write(new byte[pad]);
    }

    private static SortedDictionary<string, byte[]>? PaxRecords(TarHeader h)
    {
        SortedDictionary<string, byte[]>? records = null;
        void Add(string key, byte[] value) => (records ??= new(StringComparer.Ordinal))[key] = value;
        static byte[] Ascii(long v) => Encoding.ASCII.GetBytes(v.ToString(System.Globalization.CultureInfo.InvariantCulture));

        if (!TrySplitName(h.Name, out _, out _)) Add("path", Encoding.UTF8.GetBytes(h.Name));
        if (h.LinkName is { } link && (!IsAscii(link) || Encoding.UTF8.GetByteCount(link) > 100))
            Add("linkpath", Encoding.UTF8.GetBytes(link));
        if (h.Size > MaxOctal(12)) Add("size", Ascii(h.Size));
        if (h.Uid > MaxOctal(8)) Add("uid", Ascii(h.Uid));
        if (h.Gid > MaxOctal(8)) Add("gid", Ascii(h.Gid));
        if (h.MtimeSeconds < 0 || h.MtimeSeconds > MaxOctal(12)) Add("mtime", Ascii(h.MtimeSeconds));
        foreach (var (name, value) in h.Xattrs)
        {
            Add(PaxXattrs.SchilyPrefix + name, value);
            // SCHILY values are raw bytes, which System.Formats.Tar decodes as UTF-8 (lossy for binary values such
            // as some security.capability); libarchive's base64 form carries them exactly.
            if (!PaxXattrs.IsUtf8(value)) Add(PaxXattrs.LibarchivePrefix + Uri.EscapeDataString(name), Encoding.ASCII.GetBytes(Convert.ToBase64String(value)));
        }
        return records;
    }

    private void WritePaxHeader(string name, SortedDictionary<string, byte[]> records)
    {
        var body = new MemoryStream();
        foreach (var (key, value) in records)
        {
            int payload = Encoding.UTF8.GetByteCount(key) + value.Length + 3; // ' ', '=', '\n'
            int length = payload + Digits(payload);
            if (Digits(length) != Digits(payload)) length = payload + Digits(length);
            body.Write(Encoding.ASCII.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " ));
            body.Write(Encoding.UTF8.GetBytes(key));
            body.WriteByte((byte)'=');
            body.Write(value);
            body.WriteByte((byte)'\n');
        }
        string baseName = name.TrimEnd('/');
        baseName = baseName[(baseName.LastIndexOf('/') + 1)..];
        string paxName = "PaxHeaders.0/" + baseName;
        if (!IsAscii(paxName) || paxName.Length > 100) paxName = "PaxHeaders.0/entry";
        WriteUstar(new TarHeader(paxName, (byte)'x') { Mode = 0x1a4, Size = body.Length });
        body.Position = 0;
        body.CopyTo(output);
        WritePadding(body.Length);
    }

    private void WriteUstar(TarHeader h)
    {
        var b = _header.AsSpan();
        b.Clear();
        if (TrySplitName(h.Name, out var prefix, out var name))
        {
            Encoding.ASCII.GetBytes(name, b[..100]);
            Encoding.ASCII.GetBytes(prefix, b.Slice(345, 155));
        }
        else
        {
            WriteTruncatedAscii(h.Name, b[..100]);
        }
        WriteOctal(b.Slice(100, 8), h.Mode & 0xfff);
        WriteNumber(b.Slice(108, 8), h.Uid);
        WriteNumber(b.Slice(116, 8), h.Gid);
        WriteNumber(b.Slice(124, 12), h.Size);
        WriteNumber(b.Slice(136, 12), Math.Max(0, h.MtimeSeconds));
        b[156] = h.TypeFlag;
        if (h.LinkName is { } link) WriteTruncatedAscii(link, b.Slice(157, 100));
        "ustar\0"u8.CopyTo(b.Slice(257, 6));
        "00"u8.CopyTo(b.Slice(263, 2));
        if (h.TypeFlag is TarHeader.CharDevice or TarHeader.BlockDevice)
        {
            WriteNumber(b.Slice(329, 8), h.DevMajor);
            WriteNumber(b.Slice(337, 8), h.DevMinor);
        }
        b.Slice(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte x in b) sum += x;
        WriteOctal(b.Slice(148, 7), sum);
        b[155] = (byte)' ';
        output.Write(_header);
    }

    /// <summary>ustar's name field (100 bytes) with an optional prefix (155 bytes) split at a '/'; ASCII only.</summary>
    private static bool TrySplitName(string path, out string prefix, out string name)
    {
        prefix = "";
        name = path;
        if (!IsAscii(path)) return false;
        if (path.Length <= 100) return true;
        for (int i = path.Length - 1; i > 0; i--)
        {
            if (path[i] != '/' || i == path.Length - 1) continue;
            if (path.Length - i - 1 > 100) return false;
            if (i <= 155)
            {
                prefix = path[..i];
                name = path[(i + 1)..];
                return true;
            }
        }
        return false;
    }

    private static void WriteTruncatedAscii(string s, Span<byte> field)
    {
        for (int i = 0; i < field.Length && i < s.Length; i++) field[i] = s[i] < 0x80 ? (byte)s[i] : (byte)'_';
    }

    private static bool IsAscii(string s) => Ascii.IsValid(s);

    private static long MaxOctal(int fieldLength) => (1L << (3 * (fieldLength - 1))) - 1;

    /// <summary>Octal when it fits, else GNU base-256 (readers take it; PAX records carry the value too where defined).</summary>
    private static void WriteNumber(Span<byte> field, long value)
    {
        if (value <= MaxOctal(field.Length))
        {
            WriteOctal(field[..^1], value);
            return;
        }
        field.Clear();
        for (int i = field.Length - 1; i > 0 && value != 0; i--, value >>= 8) field[i] = (byte)value;
        field[0] = 0x80;
    }

    private static void WriteOctal(Span<byte> field, long value)
    {
        for (int i = field.Length - 1; i >= 0; i--, value >>= 3) field[i] = (byte)('0' + (value & 7));
    }

    private static int Digits(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
}
