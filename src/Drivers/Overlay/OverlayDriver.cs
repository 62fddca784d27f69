using System.Security.Cryptography;
using System.Text;
using Images.Core.Layers;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Overlay;

/// <summary>
/// Layers as kernel overlayfs mounts, in the overlay2 design. Each layer keeps only its own changes, in overlay form
/// (0/0 character device whiteouts, <c>trusted.overlay.opaque=y</c> directories), and mounts as an overlay of its
/// ancestors' diff dirs.
/// <para>Layout under home: <c>&lt;id&gt;/diff</c> the layer's changes (the upper dir), <c>&lt;id&gt;/work</c>
/// overlayfs' work dir, <c>&lt;id&gt;/merged</c> the mount point, <c>&lt;id&gt;/link</c> the layer's short link name,
/// <c>&lt;id&gt;/lower</c> its ancestors' links top first (<c>l/AAAA:l/BBBB</c>), <c>&lt;id&gt;/parent</c> the parent id,
/// <c>&lt;id&gt;/unsafe-diff</c> present when the layer was mounted without redirect_dir/metacopy forced off, and
/// <c>l/&lt;link&gt;</c> → <c>../&lt;id&gt;/diff</c>. Mounts run from inside home with relative lowerdirs, so deep
/// images fit the one-page mount data (see <see cref="OverlayMountOptions"/>).</para>
/// <para>A base layer has no lower dir for an overlay; it mounts as a bind mount of its diff dir.</para>
/// </summary>
public sealed class OverlayDriver : IGraphDriver, INativeDiffDriver
{
    public const string DriverName = "overlay";

    private const string LinkFile = "link", LowerFile = "lower", ParentFile = "parent", UnsafeDiffFile = "unsafe-diff";

    private readonly OverlaySupport _support;
    private readonly string _links;
    private readonly MountCounter _mounts = new();
    // Layers this instance mounted itself; a layer found mounted (by another process) is reused and left mounted.
    private readonly HashSet<string> _ownMounts = new(StringComparer.Ordinal);
    // Serialises Create and Remove (both cheap: a few directories and small files), so a parent never goes away under a new child.
    private readonly object _gate = new();

    private OverlayDriver(string home, OverlaySupport support)
    {
        Home = home;
        _support = support;
        _links = Path.Combine(home, OverlayMountOptions.LinkDirectory);
    }

    public string Name => DriverName;

    public string Home { get; }

    /// <summary>Opens (creating if needed) the driver at <paramref name="home"/>, which <paramref name="support"/> (the probe's result) must allow.</summary>
    public static OverlayDriver Open(string home, OverlaySupport support)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        ArgumentNullException.ThrowIfNull(support);
        if (!support.Supported)
            throw new DriverException($"the overlay driver cannot work at {home}: {support.Reason}");
        var driver = new OverlayDriver(Path.GetFullPath(home), support);
        Directory.CreateDirectory(driver._links);
        driver.Recover();
        return driver;
    }

    /// <summary>Finishes what a crash interrupted: half-created or half-removed layers, and links to layers that are gone.</summary>
    private void Recover()
    {
        AtomicDirectories.Recover(Home);
        bool creating = Directory.EnumerateFileSystemEntries(Home)
            .Any(path => AtomicDirectories.IsTransient(Path.GetFileName(path)));
        if (creating) return; // a live process is mid-create: its link points at a layer not yet in place
        foreach (string link in Directory.EnumerateFileSystemEntries(_links))
            if (!Directory.Exists(Path.Combine(_links, File.ResolveLinkTarget(link, false)?.ToString() ?? "")))
                File.Delete(link);
    }

    private string LayerPath(string id) => Path.Combine(Home, id);
    private string DiffPath(string id) => Path.Combine(Home, id, "diff");
    private string MergedPath(string id) => Path.Combine(Home, id, "merged");

    public ApplyTarget GetApplyTarget(string id)
    {
        RequireLayer(id);
        var lowers = new List<string>();
        for (string? ancestor = ReadParent(id); ancestor is not null; ancestor = ReadParent(ancestor))
            lowers.Add(DiffPath(ancestor));
        return new ApplyTarget(DiffPath(id), WhiteoutFormat.Overlay, lowers);
    }

    public void Create(string id, string? parent, CreateOptions? options = null)
    {
        LayerIds.Validate(id);
        if (parent is not null) LayerIds.Validate(parent, nameof(parent));
        if (options?.SizeLimit is not null)
            throw new DriverException(
                $"cannot create layer {id} with a size limit: the overlay driver has no per-layer quotas; create it without one or use the btrfs driver");
        lock (_gate)
        {
            if (Exists(id)) throw new DriverException($"cannot create layer {id}: it exists already");
            var lowerLinks = new List<string>();
            if (parent is not null)
            {
                if (!Exists(parent)) throw new DriverException($"cannot create layer {id}: its parent layer {parent} does not exist");
                lowerLinks.Add(ReadText(parent, LinkFile)!);
                lowerLinks.AddRange(ReadLowerLinks(parent));
                string data = OverlayMountOptions.Build(id, lowerLinks, _support.FeatureOptions);
                if (!OverlayMountOptions.Fits(data))
                    throw new DriverException(
                        $"cannot create layer {id} on {parent}: an image {lowerLinks.Count + 1} layers deep does not fit overlayfs' one-page mount options " +
                        $"({data.Length} > {OverlayMountOptions.MaxLength} bytes; at most {OverlayMountOptions.MaxDepth(id.Length, _support.FeatureOptions)} layers with ids this long); " +
                        "squash the image into fewer layers");
                if (lowerLinks.Count > OverlayMountOptions.KernelMaxLowers)
                    throw new DriverException(
                        $"cannot create layer {id} on {parent}: overlayfs stacks at most {OverlayMountOptions.KernelMaxLowers} lower layers; squash the image into fewer layers");
            }
            string link = NewLink();
            AtomicDirectories.Create(Home, id, staging =>
            {
                Directory.CreateDirectory(staging);
                Files.Chmod(staging, 0x1c0 /* 0700 */);
                foreach (string sub in new[] { "diff", "work", "merged" }) Directory.CreateDirectory(Path.Combine(staging, sub));
                Files.Chmod(Path.Combine(staging, "diff"), 0x1ed /* 0755 */);
                File.WriteAllText(Path.Combine(staging, LinkFile), link);
                File.WriteAllText(Path.Combine(staging, LowerFile),
                    string.Join(':', lowerLinks.Select(l => $"{OverlayMountOptions.LinkDirectory}/{l}")));
                File.WriteAllText(Path.Combine(staging, ParentFile), parent ?? "");
            });
            try
            {
                File.CreateSymbolicLink(Path.Combine(_links, link), $"../{id}/diff");
            }
            catch
            {
                AtomicDirectories.Remove(Home, id);
                throw;
            }
        }
    }

    /// <summary>A fresh link name: random base32, retried on the (unlikely) clash with an existing one.</summary>
    private string NewLink()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        while (true)
        {
            string link = string.Create(OverlayMountOptions.LinkLength, 0, (chars, _) =>
            {
                for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            });
            if (!Files.TryLstat(Path.Combine(_links, link), out _)) return link;
        }
    }

    /// <summary>No-op: overlay layers below a mount are read-only to it already.</summary>
    public void Seal(string id) => RequireLayer(id);

    public string Mount(string id)
    {
        LayerIds.Validate(id);
        return _mounts.Acquire(id, () =>
        {
            RequireLayer(id);
            string merged = MergedPath(id);
            if (Mounts.IsMountPoint(merged))
            {
                // Mounted by an earlier process (`images mount`): adopt it, so the last Unmount here unmounts it.
                lock (_ownMounts) _ownMounts.Add(id);
                return merged;
            }
            var lowers = ReadLowerLinks(id);
            try
            {
                if (lowers.Count == 0)
                {
                    LayerMounts.Bind(DiffPath(id), merged);
                }
                else
                {
                    if (!_support.NativeDiff) File.WriteAllText(Path.Combine(LayerPath(id), UnsafeDiffFile), "");
                    string data = OverlayMountOptions.Build(id, lowers, _support.FeatureOptions);
                    DirectoryScope.Run(Home, () => Mounts.Mount("overlay", $"{id}/merged", "overlay", 0, data));
                }
            }
            catch (UnixException e)
            {
                throw new DriverException(
                    $"cannot mount overlay layer {id} ({lowers.Count} lower layers) at {merged}: {e.Message}; see dmesg for the kernel's reason", e);
            }
            lock (_ownMounts) _ownMounts.Add(id);
            return merged;
        });
    }

    public void Unmount(string id)
    {
        LayerIds.Validate(id);
        _mounts.Release(id, merged => Release(id, merged));
    }

    private void Release(string id, string merged)
    {
        bool own;
        lock (_ownMounts) own = _ownMounts.Remove(id);
        if (!own) return;
        try
        {
            LayerMounts.Unmount(merged);
        }
        catch
        {
            lock (_ownMounts) _ownMounts.Add(id);
            throw;
        }
    }

    public bool Exists(string id) =>
        LayerIds.IsValid(id) && File.Exists(Path.Combine(LayerPath(id), ParentFile));

    /// <summary>Removes the layer and its link; a layer that does not exist is already removed (no error).</summary>
    public void Remove(string id)
    {
        LayerIds.Validate(id);
        _mounts.WhileUnmounted(id, () =>
        {
            lock (_gate)
            {
                if (!Directory.Exists(LayerPath(id))) return;
                if (Mounts.IsMountPoint(MergedPath(id)))
                    throw new DriverException(
                        $"cannot remove layer {id}: {MergedPath(id)} is mounted by another process; unmount it there (or umount {MergedPath(id)}) first");
                var children = ChildrenOf(id);
                if (children.Count > 0)
                    throw new DriverException(
                        $"cannot remove layer {id}: layer(s) {string.Join(", ", children)} were created on it; remove them first");
                string? link = ReadText(id, LinkFile);
                AtomicDirectories.Remove(Home, id);
                // After the layer is gone: a crash in between leaves a dangling link, which Recover deletes.
                if (!string.IsNullOrEmpty(link)) File.Delete(Path.Combine(_links, link));
            }
        });
    }

    private List<string> ChildrenOf(string id)
    {
        var children = new List<string>();
        foreach (string path in Directory.EnumerateDirectories(Home))
        {
            string name = Path.GetFileName(path);
            if (LayerIds.IsValid(name) && ReadText(name, ParentFile) == id) children.Add(name);
        }
        children.Sort(StringComparer.Ordinal);
        return children;
    }

    public string? ParentOf(string id)
    {
        RequireLayer(id);
        return ReadParent(id);
    }

    private string? ReadParent(string id)
    {
        string? parent = ReadText(id, ParentFile);
        return string.IsNullOrEmpty(parent) ? null : parent;
    }

    /// <summary>The link names of a layer's ancestors, top first, from its <c>lower</c> file.</summary>
    private List<string> ReadLowerLinks(string id)
    {
        string lower = ReadText(id, LowerFile) ?? "";
        string prefix = OverlayMountOptions.LinkDirectory + "/";
        return [.. lower.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.StartsWith(prefix, StringComparison.Ordinal) ? entry[prefix.Length..] : entry)];
    }

    /// <summary>A small metadata file of layer <paramref name="id"/>, trimmed; null when it is missing.</summary>
    private string? ReadText(string id, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(LayerPath(id), file), Encoding.UTF8).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The bytes of the regular files in the layer's diff dir (its own changes; hard links once).</summary>
    public long DiffSize(string id)
    {
        RequireLayer(id);
        return TreeUsage.RegularFileBytes(DiffPath(id));
    }

    /// <summary>
    /// The layer's diff dir in overlay form, or null when the layer was mounted while redirect_dir or metacopy could
    /// have been on: then a renamed directory or a metadata-only copy-up leaves the diff dir incomplete.
    /// </summary>
    public NativeDiff? GetNativeDiff(string id)
    {
        RequireLayer(id);
        if (File.Exists(Path.Combine(LayerPath(id), UnsafeDiffFile))) return null;
        return new NativeDiff(DiffPath(id), WhiteoutFormat.Overlay);
    }

    public IReadOnlyList<KeyValuePair<string, string>> Status()
    {
        int layers = Directory.EnumerateDirectories(Home).Count(path => LayerIds.IsValid(Path.GetFileName(path)));
        string inv(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return
        [
            new("Backing Filesystem", _support.BackingFilesystem),
            new("Supports d_type", "true"),
            new("Native Overlay Diff", _support.NativeDiff ? "true" : "false"),
            new("Mount Options", _support.FeatureOptions.Length > 0 ? _support.FeatureOptions : "(kernel defaults)"),
            new("Max Depth (64-character ids)", inv(OverlayMountOptions.MaxDepth(64, _support.FeatureOptions))),
            new("Layers", inv(layers)),
        ];
    }

    /// <summary>Unmounts every layer this instance mounted, whatever its count.</summary>
    public void Cleanup()
    {
        var failures = _mounts.ReleaseAll((id, merged) => Release(id, merged));
        if (failures.Count > 0)
            throw new DriverException($"overlay cleanup at {Home} left {failures.Count} layer(s) mounted: {failures[0].Message}",
                new AggregateException(failures));
    }

    public void Dispose() => Cleanup();

    private void RequireLayer(string id)
    {
        LayerIds.Validate(id);
        if (!Exists(id)) throw new DriverException($"layer {id} does not exist in the overlay driver at {Home}");
    }
}
