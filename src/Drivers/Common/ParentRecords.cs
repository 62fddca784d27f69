using System.Text;

namespace Images.Drivers.Common;

/// <summary>
/// One small file per layer naming its parent (empty for a base layer), for drivers whose layers are directories or
/// subvolumes that do not record their origin themselves. Written atomically once the layer is staged and before it
/// is renamed into place (see <see cref="AtomicDirectories"/>), so every visible layer has its record.
/// </summary>
public sealed class ParentRecords
{
    private readonly string _directory;

    public ParentRecords(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    private string PathOf(string id) => Path.Combine(_directory, id);

    public void Write(string id, string? parent) => AtomicFile.Write(PathOf(id), Encoding.UTF8.GetBytes(parent ?? ""));

    /// <summary>The parent recorded for <paramref name="id"/>; null for a base layer or when there is no record.</summary>
    public string? ParentOf(string id)
    {
        string text;
        try
        {
            text = File.ReadAllText(PathOf(id), Encoding.UTF8).Trim();
        }
        catch (FileNotFoundException)
        {
            return null; // removed meanwhile
        }
        return text.Length == 0 ? null : text;
    }

    public void Delete(string id)
    {
        File.Delete(PathOf(id));
        Platform.Files.FsyncDirectory(_directory);
    }

    /// <summary>The layers recorded with <paramref name="id"/> as their parent, sorted.</summary>
    public IReadOnlyList<string> ChildrenOf(string id)
    {
        var children = new List<string>();
        foreach (string id2 in Ids())
            if (ParentOf(id2) == id) children.Add(id2);
        children.Sort(StringComparer.Ordinal);
        return children;
    }

    /// <summary>All layer ids that have a record.</summary>
    public IEnumerable<string> Ids() =>
        Directory.EnumerateFiles(_directory).Select(Path.GetFileName).OfType<string>()
            .Where(name => !AtomicDirectories.IsTransient(name) && LayerIds.IsValid(name));

    /// <summary>
    /// Deletes abandoned temp files and records whose layer is not in <paramref name="layers"/> (a crash before the
    /// layer appeared or mid-remove), unless a live process is creating that layer there right now.
    /// </summary>
    public void Recover(string layers)
    {
        foreach (string record in Directory.EnumerateFiles(_directory))
        {
            string name = Path.GetFileName(record);
            bool stale = AtomicDirectories.IsTransient(name)
                ? AtomicDirectories.IsAbandoned(name)
                : !Directory.Exists(Path.Combine(layers, name)) && !AtomicDirectories.IsBeingCreated(layers, name);
            if (stale) File.Delete(record);
        }
    }
}
