namespace Images.Drivers.DeviceMapper;

/// <summary>Which thin-provisioning pool backs the devicemapper driver.</summary>
public enum ThinPoolBackend
{
    /// <summary>dm-thin where the kernel has device-mapper, else the reflink file pool.</summary>
    Auto,

    /// <summary>Sparse image files on a reflink-capable filesystem; a snapshot is a FICLONE copy. Works without device-mapper.</summary>
    ReflinkFile,

    /// <summary>A device-mapper thin pool (dmsetup create_thin / create_snap). Untested here: this machine has no device-mapper.</summary>
    DmThin,
}

/// <summary>Settings of the devicemapper driver; the defaults suit real use, tests shrink the sizes.</summary>
public sealed record DeviceMapperOptions
{
    /// <summary>Size of the base device every layer starts from (the filesystem size a container sees). Sparse.</summary>
    public long BaseSize { get; init; } = 10L << 30;

    /// <summary>Size of the pool's data space (the sparse xfs image or dm-thin data file) when the driver makes one.</summary>
    public long PoolSize { get; init; } = 100L << 30;

    public ThinPoolBackend Backend { get; init; } = ThinPoolBackend.Auto;

    internal void Validate()
    {
        if (BaseSize < 16L << 20)
            throw new ArgumentOutOfRangeException(nameof(BaseSize), BaseSize, "the base device needs at least 16 MiB for an ext4 filesystem");
        if (PoolSize < BaseSize)
            throw new ArgumentOutOfRangeException(nameof(PoolSize), PoolSize, $"the pool must be at least as large as the base device ({BaseSize} bytes)");
    }
}
