namespace Images.Store.Transfer;

/// <summary>
/// An archive written as a directory tree (an OCI image layout) under a temporary sibling directory, renamed to
/// the target on commit. The target must not exist, or be an empty directory: a save never merges into or
/// deletes someone's files.
/// </summary>
internal sealed class DirectoryArchiveSink : IArchiveSink
{
    private readonly string _path;
    private readonly string _temporary;
    private bool _committed;

    private DirectoryArchiveSink(string path, string temporary)
    {
        _path = path;
        _temporary = temporary;
    }

    public static DirectoryArchiveSink Create(string path)
    {
        string full = Path.GetFullPath(path);
        CheckTarget(path, full);
        string temporary = ArchiveSinks.TemporarySibling(path, full);
        Directory.CreateDirectory(temporary);
        return new DirectoryArchiveSink(full, temporary);
    }

    private static void CheckTarget(string path, string full)
    {
        if (File.Exists(full))
            throw new TransferException($"{path} exists and is a file; an OCI layout is a directory: remove it, or give a path ending in .tar for a tar archive.");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            throw new TransferException($"{path} exists and is not empty; give a new or empty directory for the OCI layout.");
    }

    public void Add(string path, Stream data)
    {
        using var file = CreateFile(path);
        data.CopyTo(file, 1 << 16);
        file.Flush(flushToDisk: true);
    }

    public void Add(string path, ReadOnlySpan<byte> data)
    {
        using var file = CreateFile(path);
        file.Write(data);
        file.Flush(flushToDisk: true);
    }

    private FileStream CreateFile(string path)
    {
        string full = Path.Combine(_temporary, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public void Commit()
    {
        CheckTarget(_path, _path); // it may have appeared meanwhile
        if (Directory.Exists(_path)) Directory.Delete(_path); // empty: checked
        Directory.Move(_temporary, _path);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(_temporary)) Directory.Delete(_temporary, recursive: true);
    }
}
