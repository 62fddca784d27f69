using System.Text;

namespace Images.Archive;

/// <summary>
/// Sits between the layer bytes and System.Formats.Tar's reader and keeps the xattr records of PAX headers as
/// raw bytes: the reader decodes PAX values as UTF-8 strings, which corrupts binary values such as most
/// <c>security.capability</c> xattrs. It follows the block structure (header, padded data) on its own; every
/// real entry header queues its name and raw xattrs, and the applier takes them when the names agree. On
/// anything it does not understand (a bad checksum) it stops capturing and the decoded strings are used.
/// </summary>
internal sealed class RawPaxCapture(Stream inner) : ReadOnlyStream
{
    private const int Block = 512;
    private readonly byte[] _header = new byte[Block];
    private int _headerFill;
    private long _dataLeft;       // bytes of data (with padding) still to pass
    private MemoryStream? _paxBody; // capturing an 'x' body
    private long _paxSize;
    private Dictionary<string, byte[]>? _pending; // records of the last 'x' header
    private bool _broken;
    private readonly Queue<(string Name, List<KeyValuePair<string, byte[]>> Xattrs)> _entries = new();

    /// <summary>The raw xattrs of the entry named <paramref name="name"/>, when captured.</summary>
    public List<KeyValuePair<string, byte[]>>? TakeXattrs(string name)
    {
        while (_entries.TryDequeue(out var e))
            if (e.Name == name) return e.Xattrs;
        return null;
    }

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (!_broken) Observe(buffer[..n]);
        return n;
    }

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0 && !_broken)
        {
            if (_dataLeft > 0)
            {
                int take = (int)Math.Min(_dataLeft, bytes.Length);
                if (_paxBody is not null && _paxBody.Length < _paxSize)
                    _paxBody.Write(bytes[..(int)Math.Min(take, _paxSize - _paxBody.Length)]);
                _dataLeft -= take;
                bytes = bytes[take..];
                if (_dataLeft == 0 && _paxBody is not null)
                {
                    _pending = ParseRecords(_paxBody.ToArray());
                    _paxBody = null;
                }
                continue;
            }
            int fill = Math.Min(Block - _headerFill, bytes.Length);
            bytes[..fill].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += fill;
            bytes = bytes[fill..];
            if (_headerFill == Block)
            {
                _headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0) return; // end-of-archive block
        if (!ChecksumOk()) { _broken = true; return; }
        byte type = _header[156];
        long size = ParseNumber(_header.AsSpan(124, 12));
        switch (type)
        {
            case (byte)'x':
                _paxBody = new MemoryStream();
                _paxSize = size;
                break;
            case (byte)'g' or (byte)'L' or (byte)'K':
                break;
            default:
                var records = _pending;
                _pending = null;
                if (records is not null && records.TryGetValue("size", out var sizeRecord)) size = long.Parse(Encoding.ASCII.GetString(sizeRecord));
                if (type is (byte)'1' or (byte)'2' or (byte)'3' or (byte)'4' or (byte)'5' or (byte)'6') size = 0; // header-only types
                if (records is not null)
                {
                    string name = records.TryGetValue("path", out var path) ? Encoding.UTF8.GetString(path) : UstarName();
                    var xattrs = records.Where(r => r.Key.StartsWith(PaxXattrs.SchilyPrefix, StringComparison.Ordinal))
                        .Select(r => new KeyValuePair<string, byte[]>(r.Key[PaxXattrs.SchilyPrefix.Length..], r.Value)).ToList();
                    if (xattrs.Count > 0) _entries.Enqueue((name, xattrs));
                }
                break;
        }
        _dataLeft = (size + Block - 1) / Block * Block;
        if (_dataLeft == 0 && _paxBody is not null)
        {
            _pending = ParseRecords([]);
            _paxBody = null;
        }
    }

    private string UstarName()
    {
        string Field(int offset, int length)
        {
            var span = _header.AsSpan(offset, length);
            int end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }
        string prefix = Field(345, 155), name = Field(0, 100);
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    private bool ChecksumOk()
    {
        long stored = ParseNumber(_header.AsSpan(148, 8));
        int sum = 0;
        for (int i = 0; i < Block; i++) sum += i is >= 148 and < 156 ? ' ' : _header[i];
        return stored == sum;
    }

    private static long ParseNumber(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7f;
            foreach (byte b in field[1..]) value = (value << 8) | b;
            return value;
        }
        long octal = 0;
        foreach (byte b in field)
        {
            if (b is (byte)' ' or 0) { if (octal > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') break;
            octal = octal * 8 + (b - '0');
        }
        return octal;
    }

    /// <summary>"LEN KEY=VALUE\n" records; values stay bytes.</summary>
    private static Dictionary<string, byte[]> ParseRecords(byte[] body)
    {
        var records = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        int pos = 0;
        while (pos < body.Length)
        {
            int space = Array.IndexOf(body, (byte)' ', pos);
            if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(body, pos, space - pos), out int length) || length <= 0 || pos + length > body.Length) break;
            int equals = Array.IndexOf(body, (byte)'=', space + 1, pos + length - space - 1);
            if (equals < 0) break;
            string key = Encoding.UTF8.GetString(body, space + 1, equals - space - 1);
            records[key] = body.AsSpan(equals + 1, pos + length - equals - 2).ToArray();
            pos += length;
        }
        return records;
    }

}
