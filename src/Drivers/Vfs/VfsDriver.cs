using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Vfs;

/// <summary>
/// The driver that works everywhere: each layer is a plain directory holding a full copy of its parent plus its own
/// changes (file data reflinked where the filesystem can). Nothing is ever mounted; Mount hands out the directory.
/// <para>Layout under home: <c>dir/&lt;id&gt;</c> the layer's root filesystem; <c>meta/&lt;id&gt;</c> the parent id
/// (empty for a base layer). The record is written once the copy is staged and before the directory is renamed into
/// place, so every visible layer has its record, and a record without a directory is either being created (its
/// staging directory is there and its process alive) or a crash leftover.</para>
/// </summary>
public sealed class VfsDriver : IGraphDriver
{
    public const string DriverName = "vfs";

    private readonly string _layers;
    private readonly ParentRecords _parents;
    private readonly MountCounter _mounts = new();
    private readonly Lazy<bool> _reflink;
    // Serialises the existence checks and renames of Create/Remove within this instance (copies run outside it).
    private readonly object _gate = new();
    // Layers this instance is creating, with their parents: Remove must count them as children already.
    private readonly Dictionary<string, string?> _creating = new(StringComparer.Ordinal);

    private VfsDriver(string home)
    {
        Home = home;
        _layers = Path.Combine(home, "dir");
        _parents = new ParentRecords(Path.Combine(home, "meta"));
        _reflink = new(() => TreeCopy.SupportsReflink(_layers));
    }

    public string Name => DriverName;

    /// <summary>The directory the driver keeps its state in.</summary>
    public string Home { get; }

    /// <summary>Opens (creating if needed) a vfs driver at <paramref name="home"/> and finishes what a crash interrupted.</summary>
    public static VfsDriver Open(string home)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        var driver = new VfsDriver(Path.GetFullPath(home));
        Directory.CreateDirectory(driver._layers);
        driver.Recover();
        return driver;
    }

    private void Recover()
    {
        AtomicDirectories.Recover(_layers);
        _parents.Recover(_layers);
    }

    private string LayerPath(string id) => Path.Combine(_layers, id);

    public ApplyTarget GetApplyTarget(string id)
    {
        RequireLayer(id);
        return ApplyTarget.OnMountedRoot;
    }

    public void Create(string id, string? parent, CreateOptions? options = null)
    {
        LayerIds.Validate(id);
        if (parent is not null) LayerIds.Validate(parent, nameof(parent));
        if (options?.SizeLimit is not null)
            throw new DriverException($"cannot create layer {id} with a size limit: the vfs driver has no quotas; create it without one or use the btrfs driver");
        string? parentPath = parent is null ? null : LayerPath(parent);
        lock (_gate)
        {
            if (Exists(id) || _creating.ContainsKey(id)) throw new DriverException($"cannot create layer {id}: it exists already");
            if (parentPath is not null && !Directory.Exists(parentPath))
                throw new DriverException($"cannot create layer {id}: its parent layer {parent} does not exist");
            _creating[id] = parent;
        }
        try
        {
            AtomicDirectories.Create(_layers, id, staging =>
            {
                if (parentPath is null)
                {
                    Directory.CreateDirectory(staging);
                    Files.Chmod(staging, 0x1ed /* 0755 */);
                }
                else
                {
                    TreeCopy.Copy(parentPath, staging);
                }
                _parents.Write(id, parent);
            });
        }
        catch
        {
            if (!Directory.Exists(LayerPath(id))) _parents.Delete(id);
            throw;
        }
        finally
        {
            lock (_gate) _creating.Remove(id);
        }
    }

    /// <summary>No-op: a vfs layer is an ordinary directory and root could write into it whatever its mode.</summary>
    public void Seal(string id) => RequireLayer(id);

    public string Mount(string id)
    {
        LayerIds.Validate(id);
        return _mounts.Acquire(id, () =>
        {
            RequireLayer(id);
            return LayerPath(id);
        });
    }

    public void Unmount(string id)
    {
        LayerIds.Validate(id);
        _mounts.Release(id, _ => { });
    }

    public bool Exists(string id) => LayerIds.IsValid(id) && Directory.Exists(LayerPath(id));

    /// <summary>
    /// Removes the layer; a layer that does not exist is already removed (no error), so interrupted removals can be
    /// retried.
    /// </summary>
    public void Remove(string id)
    {
        LayerIds.Validate(id);
        _mounts.WhileUnmounted(id, () =>
        {
            lock (_gate)
            {
                var children = _parents.ChildrenOf(id)
                    .Concat(_creating.Where(c => c.Value == id).Select(c => c.Key))
                    .Order(StringComparer.Ordinal).ToList();
                if (children.Count > 0)
                    throw new DriverException(
                        $"cannot remove layer {id}: layer(s) {string.Join(", ", children)} were created on it; remove them first");
                AtomicDirectories.Remove(_layers, id);
                _parents.Delete(id);
            }
        });
    }

    public string? ParentOf(string id)
    {
        RequireLayer(id);
        return _parents.ParentOf(id);
    }

    /// <summary>
    /// The bytes of all regular files in the layer's directory (hard links once). A vfs layer is a full copy, so this
    /// includes what it copied from its ancestors: that is the space it really takes unless data was reflinked.
    /// </summary>
    public long DiffSize(string id)
    {
        RequireLayer(id);
        return TreeUsage.RegularFileBytes(LayerPath(id));
    }

    public IReadOnlyList<KeyValuePair<string, string>> Status()
    {
        int layers = Directory.EnumerateDirectories(_layers)
            .Count(path => !AtomicDirectories.IsTransient(Path.GetFileName(path)));
        return
        [
            new("Backing Filesystem", FileSystems.TypeOf(_layers)),
            new("Layers", layers.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Reflink", _reflink.Value ? "yes" : "no"),
        ];
    }

    /// <summary>Forgets all mounts: vfs mounts nothing, so there is nothing to undo on disk.</summary>
    public void Cleanup() => _mounts.ReleaseAll((_, _) => { });

    public void Dispose() => Cleanup();

    private void RequireLayer(string id)
    {
        LayerIds.Validate(id);
        if (!Directory.Exists(LayerPath(id)))
            throw new DriverException($"layer {id} does not exist in the vfs driver at {Home}");
    }
}
