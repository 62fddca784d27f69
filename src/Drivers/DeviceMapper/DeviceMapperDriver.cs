using System.Globalization;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.DeviceMapper;

/// <summary>
/// Layers as thin-provisioned block devices, one ext4 filesystem each: the first layer is a snapshot of a base device
/// (sparse, <see cref="DeviceMapperOptions.BaseSize"/>, formatted once), every child a snapshot of its parent. The
/// layer's files live under <c>rootfs/</c> inside the filesystem, so <c>lost+found</c> never shows in an image.
/// <para>Layout under home: <c>metadata.json</c> the pool's records (devices, parents, sizes, transaction id);
/// <c>mnt/&lt;id&gt;</c> where a layer's filesystem is mounted (Mount returns <c>mnt/&lt;id&gt;/rootfs</c>); the pool's
/// own files (see <see cref="ReflinkFilePool"/> and <see cref="DmThinPool"/>).</para>
/// </summary>
public sealed class DeviceMapperDriver : IGraphDriver
{
    public const string DriverName = "devicemapper";
    private const string RootDirectory = "rootfs";
    private const string MountOptions = "noinit_itable"; // clones must not each re-zero the inode tables

    private readonly IThinPool _pool;
    private readonly PoolMetadata _metadata;
    private readonly DeviceMapperOptions _options;
    private readonly string _mounts;
    private readonly MountCounter _counter = new();
    // Per mounted layer: the pool lease that keeps the pool available, or null when another process had it mounted.
    private readonly Dictionary<string, IDisposable?> _leases = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private DeviceMapperDriver(string home, IThinPool pool, DeviceMapperOptions options)
    {
        Home = home;
        _pool = pool;
        _options = options;
        _metadata = new PoolMetadata(home);
        _mounts = Path.Combine(home, "mnt");
    }

    public string Name => DriverName;

    public string Home { get; }

    /// <summary>Opens the driver at <paramref name="home"/>: makes the pool and the base device on first use, and
    /// deletes devices a crash left half-made.</summary>
    public static DeviceMapperDriver Open(string home, DeviceMapperOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        options ??= new DeviceMapperOptions();
        options.Validate();
        home = Path.GetFullPath(home);
        var support = DeviceMapperDriverProvider.Check(home, options);
        if (!support.Supported) throw new DriverException($"cannot open the devicemapper driver at {home}: {support.Reason}");
        Directory.CreateDirectory(home);
        IThinPool pool = DeviceMapperDriverProvider.ChooseBackend(options) == ThinPoolBackend.DmThin
            ? DmThinPool.Open(home, options.PoolSize)
            : ReflinkFilePool.Open(home, options.PoolSize);
        var driver = new DeviceMapperDriver(home, pool, options);
        try
        {
            Directory.CreateDirectory(driver._mounts);
            driver.Recover();
        }
        catch
        {
            pool.Dispose();
            throw;
        }
        return driver;
    }

    /// <summary>Deletes devices a crash left between record and pool, and makes the base device when there is none.</summary>
    private void Recover() => _metadata.Update((state, commit) =>
    {
        if (state.PendingDeletes.Count == 0 && state.Base is not null) return 0;
        using var lease = _pool.Use();
        foreach (int deviceId in state.PendingDeletes.ToList())
        {
            _pool.Delete(new ThinDevice(deviceId, 0));
            state.PendingDeletes.Remove(deviceId);
        }
        commit();
        if (state.Base is null) MakeBase(state, commit);
        return 0;
    });

    private void MakeBase(PoolState state, Action commit)
    {
        var baseDevice = new DeviceRecord(0, null, _options.BaseSize);
        Begin(state, commit, baseDevice.DeviceId);
        _pool.CreateThin(baseDevice.Device);
        using (var active = _pool.Activate(baseDevice.Device))
        {
            ExternalCommand.Run($"make the base device's filesystem ({active.Path})", "mkfs.ext4", "-q", "-F", "-b", "4096", "-m", "0",
                "-E", "nodiscard,lazy_itable_init=1,lazy_journal_init=1", active.Path);
            string mountPoint = Path.Combine(_mounts, AtomicDirectories.StagingName("base"));
            Directory.CreateDirectory(mountPoint);
            try
            {
                Mounts.Mount(active.Path, mountPoint, "ext4", 0, MountOptions);
                active.Dispose(); // the mount holds the device now
                try
                {
                    string rootfs = Path.Combine(mountPoint, RootDirectory);
                    Directory.CreateDirectory(rootfs);
                    Files.Chmod(rootfs, 0x1ed /* 0755 */);
                }
                finally
                {
                    LayerMounts.UnmountNow(mountPoint);
                }
            }
            finally
            {
                Directory.Delete(mountPoint);
            }
        }
        _pool.Deactivate(baseDevice.Device);
        _pool.Flush(baseDevice.Device);
        state.Base = baseDevice;
        Finish(state, commit, baseDevice.DeviceId);
    }

    /// <summary>Step one of a pool change: the device is listed as one that must not exist until the change is recorded.</summary>
    private void Begin(PoolState state, Action commit, int deviceId)
    {
        state.PendingDeletes.Add(deviceId);
        _pool.SetTransactionId(state.TransactionId, state.TransactionId + 1);
        state.TransactionId++;
        commit();
    }

    private static void Finish(PoolState state, Action commit, int deviceId)
    {
        state.PendingDeletes.Remove(deviceId);
        commit();
    }

    private string MountPointOf(string id) => Path.Combine(_mounts, id);

    public ApplyTarget GetApplyTarget(string id)
    {
        RecordOf(id);
        return ApplyTarget.OnMountedRoot;
    }

    /// <summary>
    /// Snapshots the parent's device (or the base device) for <paramref name="id"/>. A size limit larger than the
    /// parent's device grows the new device and its filesystem; a smaller one is refused (filesystems do not shrink).
    /// </summary>
    public void Create(string id, string? parent, CreateOptions? options = null)
    {
        long? limit = CreateArguments.Validate(id, parent, options);
        DeviceRecord record;
        long originSize;
        lock (_gate)
        {
            (record, originSize) = _metadata.Update((state, commit) =>
            {
                if (state.Devices.ContainsKey(id)) throw new DriverException($"cannot create layer {id}: it exists already");
                DeviceRecord origin = parent is null
                    ? state.Base ?? throw new DriverException($"cannot create layer {id}: the pool at {Home} has no base device; reopen the driver to make one")
                    : state.Devices.GetValueOrDefault(parent)
                      ?? throw new DriverException($"cannot create layer {id}: its parent layer {parent} does not exist");
                long size = limit ?? origin.Size;
                if (size < origin.Size)
                    throw new DriverException(
                        $"cannot create layer {id} with a size limit of {size} bytes: its {(parent is null ? "base device" : $"parent {parent}")} is {origin.Size} bytes and an ext4 filesystem cannot shrink; ask for at least {origin.Size}");
                var created = new DeviceRecord(state.AllocateDeviceId(), parent, size);
                using var lease = _pool.Use();
                Begin(state, commit, created.DeviceId);
                _pool.CreateSnapshot(created.Device, origin.Device);
                state.Devices[id] = created;
                Finish(state, commit, created.DeviceId);
                return (created, origin.Size);
            });
        }
        if (record.Size > originSize) GrowFilesystem(id, record);
    }

    /// <summary>
    /// Grows the filesystem to fill its (already grown) device, offline: e2fsck then resize2fs on the activated device
    /// (online resizing of these filesystems is refused by the kernel). On failure the new layer is removed again.
    /// </summary>
    private void GrowFilesystem(string id, DeviceRecord record)
    {
        try
        {
            using var lease = _pool.Use();
            using (var active = _pool.Activate(record.Device))
            {
                var check = ExternalCommand.TryRun("e2fsck", "-f", "-p", active.Path);
                if (check.ExitCode > 1) // 1: errors corrected
                    throw new DriverException($"cannot grow the filesystem of layer {id}: `e2fsck -f -p {active.Path}` exited with {check.ExitCode}: {check.Error.Trim()}");
                ExternalCommand.Run($"grow the filesystem of layer {id} to {record.Size} bytes", "resize2fs", active.Path);
            }
            _pool.Deactivate(record.Device);
        }
        catch
        {
            Remove(id);
            throw;
        }
    }

    /// <summary>Flushes the layer's filesystem and device; the layer stays writable (ext4 has no read-only snapshots).</summary>
    public void Seal(string id)
    {
        var record = RecordOf(id);
        string mountPoint = MountPointOf(id);
        if (Mounts.IsMountPoint(mountPoint)) FileSystemSync.Sync(mountPoint);
        _pool.Flush(record.Device);
    }

    public string Mount(string id)
    {
        LayerIds.Validate(id);
        return _counter.Acquire(id, () =>
        {
            var record = RecordOf(id);
            string mountPoint = MountPointOf(id);
            Directory.CreateDirectory(mountPoint);
            if (Mounts.IsMountPoint(mountPoint))
            {
                // Mounted by an earlier process (`images mount`): adopt it with a pool lease of our own, so the
                // last Unmount here unmounts it like one of ours.
                lock (_leases) _leases[id] = _pool.Use();
                return Path.Combine(mountPoint, RootDirectory);
            }
            var lease = _pool.Use();
            try
            {
                using (var active = _pool.Activate(record.Device))
                    Mounts.Mount(active.Path, mountPoint, "ext4", Mounts.MS_NOSUID | Mounts.MS_NODEV, MountOptions);
            }
            catch (Exception e)
            {
                _pool.Deactivate(record.Device);
                lease.Dispose();
                throw new DriverException($"cannot mount layer {id} at {mountPoint}: {e.Message}", e);
            }
            lock (_leases) _leases[id] = lease;
            return Path.Combine(mountPoint, RootDirectory);
        });
    }

    public void Unmount(string id)
    {
        LayerIds.Validate(id);
        _counter.Release(id, _ => Release(id));
    }

    /// <summary>Unmounts the layer's filesystem, deactivates its device and lets go of the pool.</summary>
    private void Release(string id)
    {
        IDisposable? lease;
        lock (_leases)
        {
            lease = _leases.GetValueOrDefault(id);
            _leases.Remove(id);
        }
        if (lease is null) return;
        try
        {
            LayerMounts.UnmountNow(MountPointOf(id));
            var record = _metadata.Read().Devices.GetValueOrDefault(id);
            if (record is not null) _pool.Deactivate(record.Device);
        }
        catch
        {
            lock (_leases) _leases[id] = lease; // still mounted: keep the pool for it
            throw;
        }
        lease.Dispose();
    }

    public bool Exists(string id) => LayerIds.IsValid(id) && _metadata.Read().Devices.ContainsKey(id);

    /// <summary>Deletes the layer's device; refused while it is mounted (here or by another process) or has children.</summary>
    public void Remove(string id)
    {
        LayerIds.Validate(id);
        _counter.WhileUnmounted(id, () =>
        {
            lock (_gate)
            {
                _metadata.Update((state, commit) =>
                {
                    if (!state.Devices.TryGetValue(id, out var record)) return 0; // already removed
                    var children = state.ChildrenOf(id);
                    if (children.Count > 0)
                        throw new DriverException(
                            $"cannot remove layer {id}: layer(s) {string.Join(", ", children)} were created on it; remove them first");
                    string mountPoint = MountPointOf(id);
                    if (Mounts.IsMountPoint(mountPoint))
                        throw new DriverException($"cannot remove layer {id}: it is mounted at {mountPoint} by another process; unmount it first");
                    using var lease = _pool.Use();
                    state.Devices.Remove(id);
                    Begin(state, commit, record.DeviceId);
                    _pool.Delete(record.Device);
                    Finish(state, commit, record.DeviceId);
                    if (Directory.Exists(mountPoint)) Directory.Delete(mountPoint);
                    return 0;
                });
            }
        });
    }

    public string? ParentOf(string id) => RecordOf(id).Parent;

    /// <summary>Bytes of the files the layer added or changed against its parent (both mounted and compared).</summary>
    public long DiffSize(string id)
    {
        var record = RecordOf(id);
        string root = Mount(id);
        try
        {
            if (record.Parent is null) return SnapshotUsage.OwnBytes(root, null);
            string parentRoot = Mount(record.Parent);
            try
            {
                return SnapshotUsage.OwnBytes(root, parentRoot);
            }
            finally
            {
                Unmount(record.Parent);
            }
        }
        finally
        {
            Unmount(id);
        }
    }

    public IReadOnlyList<KeyValuePair<string, string>> Status()
    {
        var state = _metadata.Read();
        PoolUsage usage;
        using (_pool.Use()) usage = _pool.Usage();
        string Bytes(long n) => n.ToString(CultureInfo.InvariantCulture);
        return
        [
            new("Backing Filesystem", FileSystems.TypeOf(Home)),
            new("Pool Backend", _pool.Description),
            new("Pool Location", usage.Location),
            new("Data Space Used", Bytes(usage.DataUsed)),
            new("Data Space Total", Bytes(usage.DataTotal)),
            new("Data Space Available", Bytes(usage.DataTotal - usage.DataUsed)),
            new("Metadata File", _metadata.Path),
            new("Metadata Space Used", Bytes(_metadata.SizeInBytes)),
            new("Base Device Size", Bytes(state.Base?.Size ?? _options.BaseSize)),
            new("Thin Devices", Bytes(state.Devices.Count)),
            new("Transaction Id", Bytes(state.TransactionId)),
        ];
    }

    /// <summary>Unmounts every layer this instance mounted, deactivates their devices and lets go of the pool (unmounting it when idle).</summary>
    public void Cleanup()
    {
        var failures = _counter.ReleaseAll((id, _) => Release(id));
        if (failures.Count > 0)
            throw new AggregateException($"the devicemapper driver at {Home} could not unmount every layer", failures);
    }

    public void Dispose()
    {
        try
        {
            Cleanup();
        }
        finally
        {
            _pool.Dispose();
        }
    }

    private DeviceRecord RecordOf(string id)
    {
        LayerIds.Validate(id);
        return _metadata.Read().Devices.GetValueOrDefault(id)
            ?? throw new DriverException($"layer {id} does not exist in the devicemapper driver at {Home}");
    }
}
