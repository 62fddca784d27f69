using Images.Platform;

namespace Images.Drivers.Btrfs;

/// <summary>btrfs works when the driver's home lies on a btrfs filesystem.</summary>
public sealed class BtrfsDriverProvider : IDriverProvider
{
    public string Name => BtrfsDriver.DriverName;

    public DriverSupport Probe(string home) => Check(home);

    public IGraphDriver Open(string home) => BtrfsDriver.Open(home);

    /// <summary>Supported when the nearest existing directory of <paramref name="home"/> is on btrfs (statfs magic).</summary>
    internal static DriverSupport Check(string home)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        string existing = Path.GetFullPath(home);
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing) ?? "/";
        var fs = FileSystems.Stat(existing);
        return fs.Magic == BtrfsSubvolumes.SuperMagic
            ? DriverSupport.Yes($"{existing} is on btrfs")
            : DriverSupport.No($"{existing} is on {fs.TypeName}, not btrfs: put the store root on a btrfs filesystem to use this driver");
    }
}
