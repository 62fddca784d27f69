using Images.Drivers.Vfs;

namespace Images.Drivers;

/// <summary>
/// The graph drivers this build knows, in order of preference, and the choice of one for a store root.
/// Each driver keeps its state in <c>&lt;root&gt;/drivers/&lt;name&gt;</c>.
/// </summary>
public static class DriverRegistry
{
    /// <summary>
    /// Providers in priority order: overlay, btrfs, aufs, devicemapper, vfs. Each probes its own conditions
    /// (btrfs needs the root on btrfs, devicemapper loop devices and mkfs tools), so the first supported one wins.
    /// </summary>
    public static IReadOnlyList<IDriverProvider> All { get; } =
    [
        new Overlay.OverlayDriverProvider(),
        new Btrfs.BtrfsDriverProvider(),
        new Aufs.AufsDriverProvider(),
        new DeviceMapper.DeviceMapperDriverProvider(),
        new VfsDriverProvider(),
    ];

    /// <summary>The provider named <paramref name="name"/> (case-sensitive, as users type it).</summary>
    /// <exception cref="DriverException">no driver has that name; the message lists the known ones.</exception>
    public static IDriverProvider Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(p => p.Name == name)
            ?? throw new DriverException($"unknown storage driver '{name}': choose one of {string.Join(", ", All.Select(p => p.Name))}");
    }

    /// <summary>The directory driver <paramref name="name"/> keeps its state in under store root <paramref name="root"/>.</summary>
    public static string HomeOf(string root, string name) => Path.Combine(Path.GetFullPath(root), "drivers", name);

    /// <summary>
    /// Opens the driver for store <paramref name="root"/>. With a <paramref name="name"/>, that driver, which must be
    /// supported here. Without one: the driver that already holds state under this root (so a store keeps its driver
    /// when preferences change; when several do, the preferred one; when it is no longer supported, an error rather
    /// than a silent switch), else the first supported driver in priority order.
    /// </summary>
    /// <exception cref="DriverException">the named driver is unknown or not supported here (the message says why).</exception>
    public static (IDriverProvider Provider, IGraphDriver Driver) Open(string root, string? name)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Directory.CreateDirectory(Path.Combine(root, "drivers"));
        if (name is not null)
        {
            var provider = Find(name);
            string home = HomeOf(root, name);
            var support = provider.Probe(home);
            if (!support.Supported)
                throw new DriverException(
                    $"storage driver '{name}' is not supported for {home}: {support.Reason}; choose another driver or leave it unset to pick one automatically");
            return (provider, provider.Open(home));
        }

        // A driver that already holds state here keeps the store, or the store fails loudly: silently switching
        // drivers would hide every existing layer.
        foreach (var provider in All)
        {
            string home = HomeOf(root, provider.Name);
            if (!HoldsState(home)) continue;
            var support = provider.Probe(home);
            if (!support.Supported)
                throw new DriverException(
                    $"the store at {root} holds layers of storage driver '{provider.Name}', which is not supported here: {support.Reason}; " +
                    $"fix that, or choose a driver explicitly (its layers under {home} will then be ignored)");
            return (provider, provider.Open(home));
        }
        var reasons = new List<string>();
        foreach (var provider in All)
        {
            var support = provider.Probe(HomeOf(root, provider.Name));
            if (support.Supported) return (provider, provider.Open(HomeOf(root, provider.Name)));
            reasons.Add($"{provider.Name}: {support.Reason}");
        }
        throw new DriverException($"no storage driver is supported under {root}: {string.Join("; ", reasons)}");
    }

    private static bool HoldsState(string home) =>
        Directory.Exists(home) && Directory.EnumerateFileSystemEntries(home).Any();
}
