using System.Text;
using Images.Core.Layers;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Aufs;

/// <summary>
/// Layers in Docker's aufs layout, each keeping only its own changes with aufs whiteouts (<c>.wh.name</c>,
/// <c>.wh..wh..opq</c>) exactly as layer tars carry them, so applying a layer is a plain untar.
/// <para>Layout under home: <c>diff/&lt;id&gt;</c> the layer's branch, <c>layers/&lt;id&gt;</c> its ancestors one per
/// line, parent first (written last: a layer exists once it is there), <c>mnt/&lt;id&gt;</c> the mount point, and
/// <c>work/&lt;id&gt;</c> fuse-overlayfs' work dir plus the <c>unconverted</c> marker of a branch written through
/// fuse-overlayfs and not yet put back into aufs form (see <see cref="AufsBranch"/>).</para>
/// <para>A layer with ancestors mounts as kernel aufs when the kernel has it, else with fuse-overlayfs (diff dir as
/// upper, ancestors' diff dirs as lowers); a base layer mounts as a bind mount of its diff dir.</para>
/// </summary>
public sealed class AufsDriver : IGraphDriver, INativeDiffDriver
{
    public const string DriverName = "aufs";

    private const string UnconvertedMarker = "unconverted";
    private static readonly TimeSpan FuseTimeout = TimeSpan.FromSeconds(30);

    private readonly AufsSupport _support;
    private readonly string _diff, _layers, _mnt, _work;
    private readonly MountCounter _mounts = new();
    // How this instance mounted each layer it holds: the fuse daemon it started, or null (a bind or kernel mount, or one adopted from an earlier process).
    private readonly Dictionary<string, FuseMount?> _ownMounts = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private AufsDriver(string home, AufsSupport support)
    {
        Home = home;
        _support = support;
        _diff = Path.Combine(home, "diff");
        _layers = Path.Combine(home, "layers");
        _mnt = Path.Combine(home, "mnt");
        _work = Path.Combine(home, "work");
    }

    public string Name => DriverName;

    public string Home { get; }

    public AufsBackend Backend => _support.Backend;

    public static AufsDriver Open(string home, AufsSupport support)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        ArgumentNullException.ThrowIfNull(support);
        if (!support.Supported) throw new DriverException($"the aufs driver cannot work at {home}: {support.Reason}");
        var driver = new AufsDriver(Path.GetFullPath(home), support);
        foreach (string dir in new[] { driver._diff, driver._layers, driver._mnt, driver._work }) Directory.CreateDirectory(dir);
        driver.Recover();
        return driver;
    }

    /// <summary>
    /// Finishes what a crash interrupted. Create makes the branch first and writes the record last; Remove deletes the
    /// branch first and the record after: so a record without its branch is a half-removed layer (deleted here), and a
    /// branch without a record is a create in progress or an empty leftover that a new Create of that id replaces.
    /// </summary>
    private void Recover()
    {
        foreach (string dir in new[] { _diff, _layers, _mnt, _work }) AtomicDirectories.Recover(dir);
        foreach (string record in Directory.EnumerateFiles(_layers))
        {
            string id = Path.GetFileName(record);
            if (LayerIds.IsValid(id) && !Directory.Exists(DiffPath(id)) && !Mounts.IsMountPoint(MountPath(id)))
            {
                File.Delete(record);
                DeleteLayerFiles(id);
            }
        }
    }

    private string DiffPath(string id) => Path.Combine(_diff, id);
    private string MountPath(string id) => Path.Combine(_mnt, id);
    private string WorkPath(string id) => Path.Combine(_work, id);
    private string RecordPath(string id) => Path.Combine(_layers, id);
    private string MarkerPath(string id) => Path.Combine(_work, id, UnconvertedMarker);

    public ApplyTarget GetApplyTarget(string id)
    {
        RequireLayer(id);
        return new ApplyTarget(DiffPath(id), WhiteoutFormat.Aufs, [.. ReadAncestors(id).Select(DiffPath)]);
    }

    public void Create(string id, string? parent, CreateOptions? options = null)
    {
        LayerIds.Validate(id);
        if (parent is not null) LayerIds.Validate(parent, nameof(parent));
        if (options?.SizeLimit is not null)
            throw new DriverException(
                $"cannot create layer {id} with a size limit: the aufs driver has no per-layer quotas; create it without one or use the btrfs driver");
        lock (_gate)
        {
            if (Exists(id)) throw new DriverException($"cannot create layer {id}: it exists already");
            var ancestors = new List<string>();
            if (parent is not null)
            {
                if (!Exists(parent)) throw new DriverException($"cannot create layer {id}: its parent layer {parent} does not exist");
                ancestors.Add(parent);
                ancestors.AddRange(ReadAncestors(parent));
            }
            try
            {
                DeleteLayerFiles(id); // leftovers of an interrupted create or remove of the same id
                AtomicDirectories.Create(_diff, id, staging =>
                {
                    Directory.CreateDirectory(staging);
                    Files.Chmod(staging, 0x1ed /* 0755 */);
                });
                Directory.CreateDirectory(MountPath(id));
                Directory.CreateDirectory(Path.Combine(WorkPath(id), "work"));
                AtomicFile.Write(RecordPath(id), Encoding.UTF8.GetBytes(string.Concat(ancestors.Select(a => a + "\n"))));
            }
            catch
            {
                DeleteLayerFiles(id);
                throw;
            }
        }
    }

    /// <summary>No-op: a layer's branch is read-only (ro+wh) in every mount but its own.</summary>
    public void Seal(string id) => RequireLayer(id);

    public string Mount(string id)
    {
        LayerIds.Validate(id);
        return _mounts.Acquire(id, () =>
        {
            RequireLayer(id);
            string target = MountPath(id);
            if (Mounts.IsMountPoint(target))
            {
                // Mounted by an earlier process (`images mount`): adopt it, so the last Unmount here unmounts it
                // (umount2 on a fuse mount ends its daemon).
                lock (_ownMounts) _ownMounts[id] = null;
                return target;
            }
            var lowers = ReadAncestors(id).Select(DiffPath).ToList();
            FuseMount? fuse = null;
            try
            {
                if (lowers.Count == 0)
                {
                    LayerMounts.Bind(DiffPath(id), target);
                }
                else if (_support.Backend == AufsBackend.Kernel)
                {
                    AufsKernelMount.Mount(DiffPath(id), lowers, target);
                }
                else
                {
                    // Written first: if this process dies while mounted, the next look at the branch converts it.
                    File.WriteAllText(MarkerPath(id), "");
                    string options = $"lowerdir={string.Join(':', lowers)},upperdir={DiffPath(id)},workdir={Path.Combine(WorkPath(id), "work")}";
                    fuse = FuseMount.Start(_support.FuseProgram ?? AufsProbe.FuseProgram, ["-f", "-o", options, target], target, FuseTimeout);
                }
            }
            catch (UnixException e)
            {
                throw new DriverException(
                    $"cannot mount aufs layer {id} ({lowers.Count} lower branches) at {target}: {e.Message}; see dmesg for the kernel's reason", e);
            }
            lock (_ownMounts) _ownMounts[id] = fuse;
            return target;
        });
    }

    public void Unmount(string id)
    {
        LayerIds.Validate(id);
        _mounts.Release(id, target => Release(id, target));
    }

    private void Release(string id, string target)
    {
        FuseMount? fuse;
        lock (_ownMounts)
        {
            if (!_ownMounts.Remove(id, out fuse)) return;
        }
        try
        {
            if (fuse is not null) fuse.Unmount(FuseTimeout);
            else LayerMounts.Unmount(target);
        }
        catch
        {
            lock (_ownMounts) _ownMounts[id] = fuse;
            throw;
        }
        ConvertBranch(id);
    }

    /// <summary>Puts a branch written by a mount back into aufs form (the daemon has exited, nothing else writes it).</summary>
    private void ConvertBranch(string id)
    {
        AufsBranch.Normalize(DiffPath(id), [.. ReadAncestors(id).Select(DiffPath)]);
        File.Delete(MarkerPath(id));
    }

    public bool Exists(string id) => LayerIds.IsValid(id) && File.Exists(RecordPath(id));

    /// <summary>Removes the layer; a layer that does not exist is already removed (no error).</summary>
    public void Remove(string id)
    {
        LayerIds.Validate(id);
        _mounts.WhileUnmounted(id, () =>
        {
            lock (_gate)
            {
                if (!Exists(id)) return;
                if (Mounts.IsMountPoint(MountPath(id)))
                    throw new DriverException(
                        $"cannot remove layer {id}: {MountPath(id)} is mounted by another process; unmount it there (or umount {MountPath(id)}) first");
                var children = ChildrenOf(id);
                if (children.Count > 0)
                    throw new DriverException(
                        $"cannot remove layer {id}: layer(s) {string.Join(", ", children)} were created on it; remove them first");
                AtomicDirectories.Remove(_diff, id); // first: a crash after it leaves a record without a branch for Recover
                File.Delete(RecordPath(id));
                Files.FsyncDirectory(_layers);
                DeleteLayerFiles(id);
            }
        });
    }

    private void DeleteLayerFiles(string id)
    {
        AtomicDirectories.Remove(_diff, id);
        TreeDelete.Delete(MountPath(id));
        TreeDelete.Delete(WorkPath(id));
    }

    private List<string> ChildrenOf(string id)
    {
        var children = new List<string>();
        foreach (string record in Directory.EnumerateFiles(_layers))
        {
            string name = Path.GetFileName(record);
            if (LayerIds.IsValid(name) && ReadAncestors(name).FirstOrDefault() == id) children.Add(name);
        }
        children.Sort(StringComparer.Ordinal);
        return children;
    }

    public string? ParentOf(string id)
    {
        RequireLayer(id);
        return ReadAncestors(id).FirstOrDefault();
    }

    /// <summary>The layer's ancestors from its <c>layers/</c> record, parent first.</summary>
    private List<string> ReadAncestors(string id)
    {
        try
        {
            return [.. File.ReadAllLines(RecordPath(id), Encoding.UTF8).Select(l => l.Trim()).Where(l => l.Length > 0)];
        }
        catch (FileNotFoundException)
        {
            return []; // removed meanwhile
        }
    }

    public long DiffSize(string id)
    {
        RequireLayer(id);
        return TreeUsage.RegularFileBytes(DiffPath(id));
    }

    /// <summary>
    /// The layer's branch in aufs form; null while this instance or another process has it mounted through
    /// fuse-overlayfs or kernel aufs (its branch is then in flux, partly in the mount's own whiteout forms).
    /// </summary>
    public NativeDiff? GetNativeDiff(string id)
    {
        RequireLayer(id);
        if (_mounts.CountOf(id) > 0) return null;
        try
        {
            _mounts.WhileUnmounted(id, () =>
            {
                if (Mounts.IsMountPoint(MountPath(id))) throw new DriverException("mounted elsewhere");
                if (File.Exists(MarkerPath(id))) ConvertBranch(id); // left by a process that died while mounted
            });
        }
        catch (DriverException)
        {
            return null;
        }
        return new NativeDiff(DiffPath(id), WhiteoutFormat.Aufs);
    }

    public IReadOnlyList<KeyValuePair<string, string>> Status()
    {
        int layers = Directory.EnumerateFiles(_layers).Count(path => LayerIds.IsValid(Path.GetFileName(path)));
        return
        [
            new("Root Dir", Home),
            new("Backing Filesystem", FileSystems.TypeOf(Home)),
            new("Mounted With", _support.Backend == AufsBackend.Kernel ? "kernel aufs" : $"fuse-overlayfs ({_support.FuseProgram})"),
            new("Dirs", layers.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>Unmounts every layer this instance mounted (whatever its count) and waits for each fuse daemon to exit.</summary>
    public void Cleanup()
    {
        var failures = _mounts.ReleaseAll((id, target) => Release(id, target));
        if (failures.Count > 0)
            throw new DriverException($"aufs cleanup at {Home} left {failures.Count} layer(s) mounted: {failures[0].Message}",
                new AggregateException(failures));
    }

    public void Dispose() => Cleanup();

    private void RequireLayer(string id)
    {
        LayerIds.Validate(id);
        if (!Exists(id)) throw new DriverException($"layer {id} does not exist in the aufs driver at {Home}");
    }
}
