namespace Images.Store.Transfer;

/// <summary>
/// Where a save writes an image archive: files by archive path, made visible all at once by <see cref="Commit"/>;
/// disposed without a commit, it leaves nothing behind.
/// </summary>
internal interface IArchiveSink : IDisposable
{
    /// <summary>Adds a file holding <paramref name="data"/>, read to its end (it need not be seekable).</summary>
    void Add(string path, Stream data);

    void Add(string path, ReadOnlySpan<byte> data);

    /// <summary>Publishes the archive at its final path, replacing a file there.</summary>
    void Commit();
}

internal static class ArchiveSinks
{
    /// <summary>A tar when <paramref name="path"/> ends in <c>.tar</c>, else a directory.</summary>
    public static IArchiveSink Create(string path) =>
        path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? TarArchiveSink.Create(path) : DirectoryArchiveSink.Create(path);

    /// <summary>
    /// A fresh sibling of <paramref name="fullPath"/> to write to before the rename: same file system, so the rename is
    /// atomic. The parent directory must exist: a save creates the archive, not the directories above it.
    /// </summary>
    public static string TemporarySibling(string path, string fullPath)
    {
        string parent = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(parent))
            throw new TransferException($"cannot save to {path}: the directory {parent} does not exist; create it first or choose another path.");
        return $"{fullPath}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
    }
}
