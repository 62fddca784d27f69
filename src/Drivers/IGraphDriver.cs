using Images.Core.Layers;

namespace Images.Drivers;

/// <summary>
/// A graph driver keeps layers as directories (or devices) on disk: each layer is created empty or on top of a
/// parent, written, optionally sealed, mounted to give a merged root filesystem, and removed.
/// Drivers know nothing of tar, digests or images: the layer store combines a driver with the archive code.
/// Ids are the driver's own (the layer store maps chain ids and container ids to them).
/// Implementations are safe to call from several threads.
/// </summary>
public interface IGraphDriver : IDisposable
{
    /// <summary>The name users select the driver by (<c>vfs</c>, <c>overlay</c>, ...).</summary>
    string Name { get; }

    /// <summary>Where and how a layer tar is applied to a new layer: see <see cref="ApplyTarget"/>.</summary>
    ApplyTarget GetApplyTarget(string id);

    /// <summary>Creates layer <paramref name="id"/>, empty or as a copy-on-write child of <paramref name="parent"/>.</summary>
    /// <exception cref="DriverException">the id exists, the parent does not, or the backing store fails.</exception>
    void Create(string id, string? parent, CreateOptions? options = null);

    /// <summary>Marks a layer's content final; drivers that can make it read-only do (a btrfs read-only snapshot).</summary>
    void Seal(string id);

    /// <summary>
    /// Mounts the merged root filesystem of <paramref name="id"/> and returns its path. Reference counted within
    /// this driver instance: each call needs one <see cref="Unmount"/>. A layer found already mounted (left mounted by
    /// an earlier process, e.g. <c>images mount</c>) is adopted: this instance's last Unmount unmounts it. Which
    /// process may release a mount is the store's business (its mount holders), not the driver's.
    /// </summary>
    string Mount(string id);

    /// <summary>Releases one <see cref="Mount"/>; the last one unmounts.</summary>
    void Unmount(string id);

    bool Exists(string id);

    /// <summary>Removes a layer; refused with <see cref="DriverException"/> while it is mounted or has children.</summary>
    void Remove(string id);

    /// <summary>The parent a layer was created on, or null.</summary>
    string? ParentOf(string id);

    /// <summary>Bytes the layer's own content takes (its diff, not its ancestors').</summary>
    long DiffSize(string id);

    /// <summary>Key/value facts for <c>images driver status</c> (backing filesystem, pool use, ...).</summary>
    IReadOnlyList<KeyValuePair<string, string>> Status();

    /// <summary>Unmounts everything this driver mounted and releases its resources (loop devices, fuse processes).</summary>
    void Cleanup();
}

/// <summary>
/// Where the layer store applies a layer tar for a driver. Drivers whose layers hold only their own changes
/// (overlay, aufs) name their diff directory, the whiteout form they keep on disk, and the ancestors' diff
/// directories (top first, so a hard link to a file of a lower layer can be resolved). Full-snapshot drivers
/// (vfs, btrfs, devicemapper) give <see cref="Directory"/> null: the tar goes onto the layer's mounted root with
/// whiteouts carried out as deletions.
/// </summary>
public sealed record ApplyTarget(string? Directory, WhiteoutFormat Format, IReadOnlyList<string> LowerDirectories)
{
    /// <summary>Apply onto the mounted root, deleting what whiteouts name.</summary>
    public static ApplyTarget OnMountedRoot { get; } = new(null, WhiteoutFormat.Applied, []);
}

public sealed record CreateOptions
{
    /// <summary>Size limit of the layer's filesystem in bytes, where the driver supports one (btrfs qgroups, devicemapper).</summary>
    public long? SizeLimit { get; init; }
}

/// <summary>
/// Optional: a driver that can hand out a layer's own changes directly (overlay's upper dir, aufs' rw branch),
/// so its diff does not need comparing two trees.
/// </summary>
public interface INativeDiffDriver
{
    /// <summary>
    /// The directory holding exactly the changes of <paramref name="id"/> against its parent, in <see cref="WhiteoutFormat"/>,
    /// or null when it cannot be trusted (e.g. overlay redirect_dir or metacopy made the upper dir incomplete);
    /// callers then fall back to comparing the mounted trees.
    /// </summary>
    NativeDiff? GetNativeDiff(string id);
}

public sealed record NativeDiff(string Directory, WhiteoutFormat Format);

/// <summary>A driver operation that failed, with what and why.</summary>
public sealed class DriverException : Exception
{
    public DriverException(string message) : base(message) { }
    public DriverException(string message, Exception inner) : base(message, inner) { }
}
