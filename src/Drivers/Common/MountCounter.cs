namespace Images.Drivers.Common;

/// <summary>
/// Reference counts of a driver instance's mounts. The first <see cref="Acquire"/> of an id runs the real mount and
/// the last <see cref="Release"/> the real unmount, each under that id's own lock so concurrent callers of one layer
/// never race while other layers proceed in parallel.
/// </summary>
public sealed class MountCounter
{
    private sealed class Entry
    {
        public int Count;
        public string? Path;
    }

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private Entry EntryOf(string id)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(id, out var entry)) _entries[id] = entry = new Entry();
            return entry;
        }
    }

    /// <summary>Counts one more user of <paramref name="id"/>; the first runs <paramref name="mount"/>, whose path all get.</summary>
    public string Acquire(string id, Func<string> mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var entry = EntryOf(id);
        lock (entry)
        {
            if (entry.Count == 0) entry.Path = mount();
            entry.Count++;
            return entry.Path!;
        }
    }

    /// <summary>
    /// Counts one user less; the last runs <paramref name="unmount"/> with the mounted path. When the unmount fails the
    /// count stays, so the layer still reads as mounted and the caller can retry.
    /// </summary>
    /// <exception cref="DriverException">the id is not mounted by this instance.</exception>
    public void Release(string id, Action<string> unmount)
    {
        ArgumentNullException.ThrowIfNull(unmount);
        var entry = EntryOf(id);
        lock (entry)
        {
            if (entry.Count == 0)
                throw new DriverException($"layer {id} is not mounted: each Unmount must follow a Mount of the same layer");
            if (entry.Count == 1) unmount(entry.Path!);
            entry.Count--;
            if (entry.Count == 0) entry.Path = null;
        }
    }

    public int CountOf(string id)
    {
        var entry = EntryOf(id);
        lock (entry) return entry.Count;
    }

    /// <summary>
    /// Runs <paramref name="action"/> while holding <paramref name="id"/>'s lock, so no Mount can start meanwhile;
    /// refuses when the layer is mounted. Drivers remove layers through this.
    /// </summary>
    /// <exception cref="DriverException">the layer is mounted.</exception>
    public void WhileUnmounted(string id, Action action)
    {
        var entry = EntryOf(id);
        lock (entry)
        {
            if (entry.Count > 0)
                throw new DriverException(
                    $"layer {id} is mounted ({entry.Count} mount(s) at {entry.Path}): unmount it before removing it");
            action();
        }
    }

    /// <summary>The ids currently mounted, with their paths.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Mounted()
    {
        List<KeyValuePair<string, Entry>> entries;
        lock (_entries) entries = [.. _entries];
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (id, entry) in entries)
            lock (entry)
                if (entry.Count > 0) result.Add(new(id, entry.Path!));
        return result;
    }

    /// <summary>Unmounts every mounted id regardless of its count (driver cleanup); returns the failures.</summary>
    public IReadOnlyList<Exception> ReleaseAll(Action<string, string> unmount)
    {
        var failures = new List<Exception>();
        foreach (var (id, _) in Mounted())
        {
            var entry = EntryOf(id);
            lock (entry)
            {
                if (entry.Count == 0) continue;
                try
                {
                    unmount(id, entry.Path!);
                    entry.Count = 0;
                    entry.Path = null;
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            }
        }
        return failures;
    }
}
