using System.Formats.Tar;

namespace Images.Store.Transfer;

/// <summary>
/// An archive written as a tar to a temporary sibling file, renamed over the target on commit. GNU format: it writes
/// sizes over 8 GiB even for data of unknown length (a layer decompressed on the fly), where System.Formats.Tar's
/// PAX writer cannot, and, unlike PAX headers named after the process id, the same images give the same bytes
/// (owner 0:0 without names, mode 0644/0755, mtime the epoch).
/// </summary>
internal sealed class TarArchiveSink : IArchiveSink
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly FileStream _file;
    private readonly TarWriter _writer;
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private bool _committed;

    private TarArchiveSink(string path, string temporary, FileStream file)
    {
        _path = path;
        _temporary = temporary;
        _file = file;
        // The file is seekable, so entries whose data is a decompressing stream of unknown length can still be written.
        _writer = new TarWriter(file, TarEntryFormat.Gnu, leaveOpen: true);
    }

    public static TarArchiveSink Create(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new TransferException($"{path} is a directory; give a file name ending in .tar, or a path without .tar for an image layout directory.");
        string temporary = ArchiveSinks.TemporarySibling(path, full);
        var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        return new TarArchiveSink(full, temporary, file);
    }

    public void Add(string path, Stream data)
    {
        AddParents(path);
        _writer.WriteEntry(Entry(TarEntryType.RegularFile, path, data));
    }

    public void Add(string path, ReadOnlySpan<byte> data)
    {
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        Add(path, stream);
    }

    private void AddParents(string path)
    {
        for (int slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            string directory = path[..(slash + 1)];
            if (_directories.Add(directory)) _writer.WriteEntry(Entry(TarEntryType.Directory, directory, null));
        }
    }

    private static GnuTarEntry Entry(TarEntryType type, string name, Stream? data)
    {
        var entry = new GnuTarEntry(type, name)
        {
            Mode = type == TarEntryType.Directory ? DirectoryMode : RegularMode,
            ModificationTime = DateTimeOffset.UnixEpoch,
            Uid = 0,
            Gid = 0,
            UserName = "",
            GroupName = "",
        };
        if (data is not null) entry.DataStream = data; // a directory entry refuses even a null stream
        return entry;
    }

    private const UnixFileMode RegularMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode DirectoryMode = RegularMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public void Commit()
    {
        _writer.Dispose(); // writes the end-of-archive blocks
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        _writer.Dispose();
        _file.Dispose();
        File.Delete(_temporary);
    }
}
