using System.Formats.Tar;
using System.Text;

namespace Images.Drivers.Tests;

/// <summary>Builds small layer tars in memory for tests: entries as Docker writes them, whiteouts in .wh. form, xattrs as PAX records.</summary>
public sealed class LayerTar
{
    private readonly MemoryStream _buffer = new();
    private readonly TarWriter _writer;

    public LayerTar() => _writer = new TarWriter(_buffer, TarEntryFormat.Pax, leaveOpen: true);

    public LayerTar Dir(string name, uint mode = 0x1ed, int uid = 0, int gid = 0, params (string Name, byte[] Value)[] xattrs) =>
        Add(TarEntryType.Directory, name.TrimEnd('/') + "/", mode, uid, gid, xattrs);

    public LayerTar File(string name, string content, uint mode = 0x1a4, int uid = 0, int gid = 0, params (string Name, byte[] Value)[] xattrs) =>
        Add(TarEntryType.RegularFile, name, mode, uid, gid, xattrs, entry => entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)));

    public LayerTar Symlink(string name, string target) =>
        Add(TarEntryType.SymbolicLink, name, 0x1ff, 0, 0, [], entry => entry.LinkName = target);

    public LayerTar HardLink(string name, string target) =>
        Add(TarEntryType.HardLink, name, 0x1a4, 0, 0, [], entry => entry.LinkName = target);

    /// <summary>Removes <paramref name="path"/> of a lower layer.</summary>
    public LayerTar Whiteout(string path)
    {
        string dir = Path.GetDirectoryName(path) ?? "";
        return File((dir.Length == 0 ? "" : dir + "/") + ".wh." + Path.GetFileName(path), "");
    }

    /// <summary>Hides everything lower layers have in <paramref name="directory"/>.</summary>
    public LayerTar Opaque(string directory) => File(directory.TrimEnd('/') + "/.wh..wh..opq", "");

    private LayerTar Add(TarEntryType type, string name, uint mode, int uid, int gid, (string Name, byte[] Value)[] xattrs, Action<PaxTarEntry>? fill = null)
    {
        // Binary values go in libarchive's base64 form, which survives System.Formats.Tar's UTF-8 handling.
        var attributes = xattrs.Select(x => new KeyValuePair<string, string>(
            $"LIBARCHIVE.xattr.{Uri.EscapeDataString(x.Name)}", Convert.ToBase64String(x.Value)));
        var entry = new PaxTarEntry(type, name, attributes)
        {
            Mode = (UnixFileMode)mode,
            Uid = uid,
            Gid = gid,
            ModificationTime = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
        };
        fill?.Invoke(entry);
        _writer.WriteEntry(entry);
        return this;
    }

    /// <summary>The finished tar, positioned at its start.</summary>
    public Stream ToStream()
    {
        _writer.Dispose();
        return new MemoryStream(_buffer.ToArray(), writable: false);
    }
}
