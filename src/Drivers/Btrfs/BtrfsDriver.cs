using System.Globalization;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Btrfs;

/// <summary>
/// Layers as btrfs subvolumes: a base layer is a new empty subvolume, a child is a writable snapshot of its parent
/// (one ioctl, no data copied), a sealed layer is made read-only. Nothing is mounted: Mount hands out the subvolume's
/// path. An optional size limit is a qgroup limit on the subvolume (quotas are enabled on first use).
/// <para>Layout under home (which must be on btrfs): <c>subvolumes/&lt;id&gt;</c> the layer's subvolume;
/// <c>meta/&lt;id&gt;</c> its parent id, written before the subvolume appears under its name.</para>
/// </summary>
public sealed class BtrfsDriver : IGraphDriver
{
    public const string DriverName = "btrfs";

    private readonly string _subvolumes;
    private readonly ParentRecords _parents;
    private readonly MountCounter _mounts = new();
    // Serialises existence checks and renames of Create/Remove within this instance (snapshots are fast anyway).
    private readonly object _gate = new();
    // Layers this instance is creating, with their parents: Remove must count them as children already.
    private readonly Dictionary<string, string?> _creating = new(StringComparer.Ordinal);
    private bool _quotaEnabled;

    private BtrfsDriver(string home)
    {
        Home = home;
        _subvolumes = Path.Combine(home, "subvolumes");
        _parents = new ParentRecords(Path.Combine(home, "meta"));
    }

    public string Name => DriverName;

    /// <summary>The directory the driver keeps its state in.</summary>
    public string Home { get; }

    /// <summary>Opens (creating if needed) a btrfs driver at <paramref name="home"/> and finishes what a crash interrupted.</summary>
    /// <exception cref="DriverException">home is not on btrfs.</exception>
    public static BtrfsDriver Open(string home)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        var support = BtrfsDriverProvider.Check(home);
        if (!support.Supported) throw new DriverException($"cannot open the btrfs driver at {home}: {support.Reason}");
        Directory.CreateDirectory(home);
        var driver = new BtrfsDriver(Path.GetFullPath(home));
        Directory.CreateDirectory(driver._subvolumes);
        AtomicDirectories.Recover(driver._subvolumes, DeleteSubvolume);
        driver._parents.Recover(driver._subvolumes);
        return driver;
    }

    private string SubvolumePath(string id) => Path.Combine(_subvolumes, id);

    public ApplyTarget GetApplyTarget(string id)
    {
        RequireLayer(id);
        return ApplyTarget.OnMountedRoot;
    }

    public void Create(string id, string? parent, CreateOptions? options = null)
    {
        long? limit = CreateArguments.Validate(id, parent, options);
        lock (_gate)
        {
            if (Exists(id) || _creating.ContainsKey(id)) throw new DriverException($"cannot create layer {id}: it exists already");
            if (parent is not null && !Exists(parent))
                throw new DriverException($"cannot create layer {id}: its parent layer {parent} does not exist");
            _creating[id] = parent;
        }
        try
        {
            AtomicDirectories.Create(_subvolumes, id, staging =>
            {
                if (parent is null)
                {
                    BtrfsSubvolumes.Create(staging);
                    Files.Chmod(staging, 0x1ed /* 0755 */);
                }
                else
                {
                    // Writable even when the parent is sealed read-only.
                    BtrfsSubvolumes.Snapshot(SubvolumePath(parent), staging, readOnly: false);
                }
                if (limit is long bytes) LimitSize(staging, bytes);
                _parents.Write(id, parent);
            }, DeleteSubvolume);
        }
        catch (Exception e)
        {
            if (!Exists(id)) _parents.Delete(id);
            if (e is UnixException) throw new DriverException($"cannot create layer {id} in {_subvolumes}: {e.Message}", e);
            throw;
        }
        finally
        {
            lock (_gate) _creating.Remove(id);
        }
    }

    /// <summary>Limits the subvolume's referenced bytes with a qgroup; quotas are switched on for the filesystem first.</summary>
    private void LimitSize(string subvolume, long bytes)
    {
        if (!Volatile.Read(ref _quotaEnabled))
        {
            ExternalCommand.Run($"enable btrfs quotas on {Home} for a layer size limit", "btrfs", "quota", "enable", Home);
            Volatile.Write(ref _quotaEnabled, true);
        }
        ExternalCommand.Run($"limit the size of {subvolume} to {bytes} bytes", "btrfs", "qgroup", "limit",
            bytes.ToString(CultureInfo.InvariantCulture), subvolume);
    }

    /// <summary>Makes the layer's subvolume read-only: from now on every write into it fails with EROFS.</summary>
    public void Seal(string id)
    {
        RequireLayer(id);
        BtrfsSubvolumes.SetReadOnly(SubvolumePath(id), true);
    }

    /// <summary>Whether <see cref="Seal"/> made the layer read-only.</summary>
    public bool IsSealed(string id)
    {
        RequireLayer(id);
        return BtrfsSubvolumes.IsReadOnly(SubvolumePath(id));
    }

    public string Mount(string id)
    {
        LayerIds.Validate(id);
        return _mounts.Acquire(id, () =>
        {
            RequireLayer(id);
            return SubvolumePath(id);
        });
    }

    public void Unmount(string id)
    {
        LayerIds.Validate(id);
        _mounts.Release(id, _ => { });
    }

    public bool Exists(string id) => LayerIds.IsValid(id) && Directory.Exists(SubvolumePath(id));

    /// <summary>Deletes the layer's subvolume (read-only or not). A layer that does not exist is already removed.</summary>
    public void Remove(string id)
    {
        LayerIds.Validate(id);
        _mounts.WhileUnmounted(id, () =>
        {
            lock (_gate)
            {
                var children = _creating.Where(c => c.Value == id).Select(c => c.Key)
                    .Concat(_parents.ChildrenOf(id)).Distinct().Order(StringComparer.Ordinal).ToList();
                if (children.Count > 0)
                    throw new DriverException(
                        $"cannot remove layer {id}: layer(s) {string.Join(", ", children)} were created on it; remove them first");
                AtomicDirectories.Remove(_subvolumes, id, DeleteSubvolume);
                _parents.Delete(id);
            }
        });
    }

    /// <summary>Deletes a subvolume (clearing its read-only flag first), or a plain directory a crash left behind.</summary>
    private static void DeleteSubvolume(string path)
    {
        if (!BtrfsSubvolumes.IsSubvolume(path))
        {
            TreeDelete.Delete(path);
            return;
        }
        BtrfsSubvolumes.SetReadOnly(path, false);
        BtrfsSubvolumes.Delete(path);
    }

    public string? ParentOf(string id)
    {
        RequireLayer(id);
        return _parents.ParentOf(id);
    }

    /// <summary>Bytes of the files this layer added or changed against its parent (see <see cref="SnapshotUsage"/>).</summary>
    public long DiffSize(string id)
    {
        RequireLayer(id);
        string? parent = _parents.ParentOf(id);
        return SnapshotUsage.OwnBytes(SubvolumePath(id), parent is null ? null : SubvolumePath(parent));
    }

    public IReadOnlyList<KeyValuePair<string, string>> Status()
    {
        var fs = FileSystems.Stat(_subvolumes);
        int layers = Directory.EnumerateDirectories(_subvolumes)
            .Count(path => !AtomicDirectories.IsTransient(Path.GetFileName(path)));
        return
        [
            new("Backing Filesystem", fs.TypeName),
            new("Layers", layers.ToString(CultureInfo.InvariantCulture)),
            new("Filesystem Size", fs.TotalBytes.ToString(CultureInfo.InvariantCulture)),
            new("Filesystem Available", fs.AvailableBytes.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>Forgets all mounts: btrfs layers are never really mounted, so there is nothing to undo on disk.</summary>
    public void Cleanup() => _mounts.ReleaseAll((_, _) => { });

    public void Dispose() => Cleanup();

    private void RequireLayer(string id)
    {
        LayerIds.Validate(id);
        if (!Exists(id)) throw new DriverException($"layer {id} does not exist in the btrfs driver at {Home}");
    }
}
