namespace Images.Drivers.DeviceMapper;

/// <summary>A thin device of the pool: the pool's number for it and its size in bytes.</summary>
internal sealed record ThinDevice(int DeviceId, long Size);

/// <summary>An activated thin device: the block device path, held until disposed (a loop device's handle).</summary>
internal sealed class ActiveDevice(string path, IDisposable? handle) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose() => handle?.Dispose();
}

/// <summary>Data space of the pool in bytes, and where it lives.</summary>
internal sealed record PoolUsage(long DataUsed, long DataTotal, string Location);

/// <summary>
/// Thin provisioning: block devices that take space only where written, created empty or as a copy-on-write
/// snapshot of another device. The devicemapper driver keeps the devices' records (ids, parents, sizes, transaction
/// id) itself and asks the pool only for these operations. Device ids are the driver's; device 0 is the base.
/// </summary>
internal interface IThinPool : IDisposable
{
    /// <summary>What backs the pool, for <c>driver status</c>.</summary>
    string Description { get; }

    /// <summary>Keeps the pool available (the reflink pool's filesystem mounted) until the handle is disposed.</summary>
    IDisposable Use();

    /// <summary>Records the driver's next transaction id in the pool where the pool keeps one (dm-thin).</summary>
    void SetTransactionId(long current, long next);

    void CreateThin(ThinDevice device);

    /// <summary>Creates <paramref name="device"/> sharing every block of <paramref name="origin"/> until either is written.</summary>
    void CreateSnapshot(ThinDevice device, ThinDevice origin);

    /// <summary>Grows a device to <paramref name="size"/> bytes (the filesystem on it is grown by the caller).</summary>
    void Grow(ThinDevice device, long size);

    /// <summary>Deletes a device; a device that does not exist is already deleted.</summary>
    void Delete(ThinDevice device);

    /// <summary>Makes the device available as a block device.</summary>
    ActiveDevice Activate(ThinDevice device);

    /// <summary>Undoes <see cref="Activate"/> once the device is no longer mounted.</summary>
    void Deactivate(ThinDevice device);

    /// <summary>Makes what was written to the device durable.</summary>
    void Flush(ThinDevice device);

    PoolUsage Usage();
}
