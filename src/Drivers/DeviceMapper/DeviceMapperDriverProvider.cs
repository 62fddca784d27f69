using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.DeviceMapper;

/// <summary>
/// devicemapper works with a dm-thin pool where the kernel has device-mapper, else with a reflink file pool, which
/// needs loop devices, mkfs.ext4, and either a home on xfs/btrfs with reflinks or mkfs.xfs to make its own.
/// </summary>
public sealed class DeviceMapperDriverProvider(DeviceMapperOptions options) : IDriverProvider
{
    public DeviceMapperDriverProvider() : this(new DeviceMapperOptions()) { }

    public string Name => DeviceMapperDriver.DriverName;

    public DriverSupport Probe(string home) => Check(home, options);

    public IGraphDriver Open(string home) => DeviceMapperDriver.Open(home, options);

    internal static ThinPoolBackend ChooseBackend(DeviceMapperOptions options) =>
        options.Backend != ThinPoolBackend.Auto ? options.Backend
        : DmThinPool.IsAvailable() ? ThinPoolBackend.DmThin : ThinPoolBackend.ReflinkFile;

    internal static DriverSupport Check(string home, DeviceMapperOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        if (!Files.IsRoot) return DriverSupport.No("it mounts filesystems and attaches loop devices, which needs root");
        if (ExternalCommand.Find("mkfs.ext4") is null)
            return DriverSupport.No("mkfs.ext4 is not installed: install e2fsprogs");
        if (ChooseBackend(options) == ThinPoolBackend.DmThin)
            return DmThinPool.IsAvailable()
                ? DriverSupport.Yes("device-mapper thin pool (dm-thin)")
                : DriverSupport.No("the kernel has no device-mapper thin-pool target (/dev/mapper/control, `dmsetup targets`): load dm_thin_pool or use the reflink pool");
        if (!LoopDevice.Available)
            return DriverSupport.No("there are no loop devices (/dev/loop-control is missing): load the loop module");
        string existing = Path.GetFullPath(home);
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing) ?? "/";
        if (ReflinkFilePool.CanReflink(existing))
            return DriverSupport.Yes($"reflink file pool directly on {FileSystems.TypeOf(existing)} at {existing}");
        return ExternalCommand.Find("mkfs.xfs") is not null
            ? DriverSupport.Yes($"reflink file pool on an xfs image the driver makes ({existing} is {FileSystems.TypeOf(existing)}, without reflinks)")
            : DriverSupport.No($"{existing} is on {FileSystems.TypeOf(existing)}, which cannot reflink, and mkfs.xfs is not installed to make a reflink pool: install xfsprogs");
    }
}
