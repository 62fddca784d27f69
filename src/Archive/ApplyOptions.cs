using Images.Core.Layers;

namespace Images.Archive;

/// <summary>How <see cref="LayerApplier"/> writes a layer tar into a directory, and the limits it enforces.</summary>
public sealed record ApplyOptions
{
    /// <summary>How whiteouts are represented in the target (carried out, kept as files, or overlayfs devices/xattrs).</summary>
    public WhiteoutFormat Whiteouts { get; init; } = WhiteoutFormat.Applied;

    /// <summary>
    /// The diff directories below the target (top first), when the target holds only this layer's changes.
    /// A hard link to a file of a lower layer copies that file up first; a parent directory missing from the
    /// target takes its owner and mode from the lower layer that has it.
    /// </summary>
    public IReadOnlyList<string> LowerDirectories { get; init; } = [];

    /// <summary>lchown every entry to the tar's numeric uid/gid.</summary>
    public bool RestoreOwners { get; init; } = true;

    /// <summary>Decompression-bomb guard: the most content bytes (sum of entry sizes) a layer may hold.</summary>
    public long MaxBytes { get; init; } = 64L << 30;

    /// <summary>The most entries a layer may hold.</summary>
    public long MaxEntries { get; init; } = 5_000_000;
}

/// <summary>What an apply wrote: tar entries processed and regular-file content bytes.</summary>
public sealed record ApplyResult(long Entries, long ContentBytes);

/// <summary>Options of <see cref="LayerWriter"/>.</summary>
public sealed record WriteOptions
{
    /// <summary>No entry's mtime is later than this (reproducible builds: SOURCE_DATE_EPOCH).</summary>
    public DateTimeOffset? ClampMtime { get; init; }
}
