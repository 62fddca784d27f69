using System.Formats.Tar;
using System.Text;

namespace Images.Archive.Tests;

/// <summary>Builds (possibly hostile) layer tars in memory with System.Formats.Tar.</summary>
public sealed class Tars
{
    private readonly MemoryStream _stream = new();
    private readonly TarWriter _writer;

    public Tars(TarEntryFormat format = TarEntryFormat.Pax) => _writer = new TarWriter(_stream, format, leaveOpen: true);

    public static DateTimeOffset Time { get; } = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);

    public Tars Add(TarEntryType type, string name, string? content = null, string? link = null, int mode = 0x1a4,
        int uid = 0, int gid = 0, IDictionary<string, string>? pax = null, TarEntryFormat format = TarEntryFormat.Pax)
    {
        TarEntry entry = format switch
        {
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            _ => pax is null ? new PaxTarEntry(type, name) : new PaxTarEntry(type, name, pax),
        };
        entry.Mode = (UnixFileMode)mode;
        entry.Uid = uid;
        entry.Gid = gid;
        entry.ModificationTime = Time;
        if (link is not null) entry.LinkName = link;
        if (content is not null) entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        _writer.WriteEntry(entry);
        return this;
    }

    public Tars File(string name, string content = "x", int mode = 0x1a4) => Add(TarEntryType.RegularFile, name, content, mode: mode);
    public Tars Dir(string name, int mode = 0x1ed) => Add(TarEntryType.Directory, name, mode: mode);
    public Tars Symlink(string name, string target) => Add(TarEntryType.SymbolicLink, name, link: target, mode: 0x1ff);
    public Tars HardLink(string name, string target) => Add(TarEntryType.HardLink, name, link: target);

    public byte[] Bytes()
    {
        _writer.Dispose();
        return _stream.ToArray();
    }

    public MemoryStream Stream() => new(Bytes());
}
