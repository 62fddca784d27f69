using Images.Platform;

namespace Images.Drivers.Common;

/// <summary>
/// Small metadata files that are either wholly old or wholly new after a crash. The temp file carries an
/// <see cref="AtomicDirectories.StagingName"/>, so recovery can tell an abandoned one by the same rule.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to a temp sibling, fsyncs it, renames it over <paramref name="path"/> and fsyncs the directory.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = Path.Combine(directory, AtomicDirectories.StagingName(Path.GetFileName(path)));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            Files.FsyncDirectory(directory);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
