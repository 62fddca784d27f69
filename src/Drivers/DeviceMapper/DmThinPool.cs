using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.DeviceMapper;

/// <summary>
/// A device-mapper thin pool (the kernel's dm-thin target), driven through <c>dmsetup</c>: the pool is made from two
/// sparse files under home (<c>dm/data</c>, <c>dm/metadata</c>) on loop devices; thin devices are created with
/// <c>create_thin</c> / <c>create_snap</c> messages, each preceded by <c>set_transaction_id</c>, and activated as
/// <c>/dev/mapper/&lt;pool&gt;-&lt;n&gt;</c>.
/// <para><b>UNTESTED</b>: the machine this was written on has no device-mapper (no /dev/mapper/control), so only the
/// reflink file pool is exercised by the tests. The message grammar follows the kernel's
/// Documentation/admin-guide/device-mapper/thin-provisioning.rst.</para>
/// </summary>
internal sealed class DmThinPool : IThinPool
{
    private const long SectorSize = 512;
    private const int DataBlockSectors = 128;           // 64 KiB pool blocks, as Docker's devmapper used
    private const int LowWaterMarkBlocks = 32768;
    private const long MetadataSize = 2L << 30;

    private readonly string _dataFile;
    private readonly string _metadataFile;
    private readonly long _dataSize;
    private readonly object _gate = new();

    private DmThinPool(string home, long dataSize)
    {
        string directory = Path.Combine(home, "dm");
        Directory.CreateDirectory(directory);
        _dataFile = Path.Combine(directory, "data");
        _metadataFile = Path.Combine(directory, "metadata");
        _dataSize = dataSize;
        // One pool per driver home: the name is derived from the home's path so two stores never share a pool.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(home));
        PoolName = "images-thinpool-" + Convert.ToHexStringLower(hash)[..12];
    }

    public string PoolName { get; }

    private string PoolDevice => "/dev/mapper/" + PoolName;

    public string Description => $"dm-thin pool {PoolName} (data {_dataFile}, metadata {_metadataFile})";

    /// <summary>True when the kernel has device-mapper with the thin-pool target.</summary>
    public static bool IsAvailable()
    {
        if (!File.Exists("/dev/mapper/control") || ExternalCommand.Find("dmsetup") is null) return false;
        var (exit, output, _) = ExternalCommand.TryRun("dmsetup", "targets");
        return exit == 0 && output.Split('\n').Any(line => line.StartsWith("thin-pool", StringComparison.Ordinal));
    }

    public static DmThinPool Open(string home, long dataSize) => new(home, dataSize);

    /// <summary>Activates the pool (loop devices for its files, then the thin-pool table) when it is not yet active.</summary>
    public IDisposable Use()
    {
        lock (_gate)
        {
            if (!File.Exists(PoolDevice)) Activate();
        }
        return new NoRelease(); // a dm pool stays active until the driver's Dispose
    }

    private sealed class NoRelease : IDisposable
    {
        public void Dispose() { }
    }

    private void Activate()
    {
        bool fresh = !File.Exists(_metadataFile);
        EnsureSparse(_dataFile, _dataSize);
        EnsureSparse(_metadataFile, MetadataSize);
        using var data = LoopDevice.Attach(_dataFile);
        using var metadata = LoopDevice.Attach(_metadataFile);
        if (fresh)
        {
            // A new metadata device must start zeroed in its first block, or the kernel reads garbage as a superblock.
            using var stream = new FileStream(metadata.Path, FileMode.Open, FileAccess.Write);
            stream.Write(new byte[4096]);
            stream.Flush(flushToDisk: true);
        }
        long sectors = _dataSize / SectorSize;
        string table = string.Create(CultureInfo.InvariantCulture,
            $"0 {sectors} thin-pool {metadata.Path} {data.Path} {DataBlockSectors} {LowWaterMarkBlocks} 1 skip_block_zeroing");
        Dmsetup($"activate thin pool {PoolName}", "create", PoolName, "--table", table);
        // The table holds both loop devices open now; with autoclear they go when the pool is removed.
    }

    private static void EnsureSparse(string path, long size)
    {
        if (File.Exists(path)) return;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.SetLength(size);
        file.Flush(flushToDisk: true);
    }

    private string ThinName(ThinDevice device) => $"{PoolName}-{device.DeviceId.ToString(CultureInfo.InvariantCulture)}";

    private void Message(string purpose, string message) => Dmsetup(purpose, "message", PoolDevice, "0", message);

    private static string Dmsetup(string purpose, params string[] arguments) => ExternalCommand.Run(purpose, "dmsetup", arguments);

    public void SetTransactionId(long current, long next) =>
        Message("set the pool's transaction id", string.Create(CultureInfo.InvariantCulture, $"set_transaction_id {current} {next}"));

    public void CreateThin(ThinDevice device) =>
        Message($"create thin device {device.DeviceId}", string.Create(CultureInfo.InvariantCulture, $"create_thin {device.DeviceId}"));

    public void CreateSnapshot(ThinDevice device, ThinDevice origin)
    {
        // An active origin must be suspended so the snapshot sees its blocks flushed and stable.
        string originName = ThinName(origin);
        bool active = File.Exists("/dev/mapper/" + originName);
        if (active) Dmsetup($"suspend thin device {origin.DeviceId}", "suspend", originName);
        try
        {
            Message($"snapshot thin device {origin.DeviceId}",
                string.Create(CultureInfo.InvariantCulture, $"create_snap {device.DeviceId} {origin.DeviceId}"));
        }
        finally
        {
            if (active) Dmsetup($"resume thin device {origin.DeviceId}", "resume", originName);
        }
    }

    /// <summary>A thin device has no size of its own: the size is its table's length, given at activation.</summary>
    public void Grow(ThinDevice device, long size) { }

    public void Delete(ThinDevice device)
    {
        if (File.Exists("/dev/mapper/" + ThinName(device))) Deactivate(device);
        var (exit, _, error) = ExternalCommand.TryRun("dmsetup", "message", PoolDevice, "0",
            string.Create(CultureInfo.InvariantCulture, $"delete {device.DeviceId}"));
        // A device that does not exist is already deleted (recovery replays deletes).
        if (exit != 0 && !error.Contains("No data available", StringComparison.Ordinal) && !error.Contains("ENODATA", StringComparison.Ordinal))
            throw new DriverException($"cannot delete thin device {device.DeviceId} of pool {PoolName}: {error.Trim()}");
    }

    public ActiveDevice Activate(ThinDevice device)
    {
        string name = ThinName(device);
        if (!File.Exists("/dev/mapper/" + name))
        {
            string table = string.Create(CultureInfo.InvariantCulture, $"0 {device.Size / SectorSize} thin {PoolDevice} {device.DeviceId}");
            Dmsetup($"activate thin device {device.DeviceId}", "create", name, "--table", table);
        }
        return new ActiveDevice("/dev/mapper/" + name, null);
    }

    public void Deactivate(ThinDevice device)
    {
        string name = ThinName(device);
        if (File.Exists("/dev/mapper/" + name)) Dmsetup($"deactivate thin device {device.DeviceId}", "remove", name);
    }

    public void Flush(ThinDevice device)
    {
        // Writes reach the pool's data device on unmount; the loop devices pass flushes on to their files.
    }

    /// <summary>From <c>dmsetup status</c>: "0 &lt;len&gt; thin-pool &lt;transaction&gt; &lt;used&gt;/&lt;total meta&gt; &lt;used&gt;/&lt;total data&gt; ...".</summary>
    public PoolUsage Usage()
    {
        var fields = Dmsetup("read the pool status", "status", PoolName).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var data = fields.Length > 5 ? fields[5].Split('/') : [];
        if (data.Length != 2 || !long.TryParse(data[0], out long used) || !long.TryParse(data[1], out long total))
            throw new DriverException($"cannot read the data use of pool {PoolName} from `dmsetup status`: {string.Join(' ', fields)}");
        long blockBytes = DataBlockSectors * SectorSize;
        return new PoolUsage(used * blockBytes, total * blockBytes, PoolDevice);
    }

    /// <summary>Removes the pool's mapping (its loop devices, attached with autoclear, then go too).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (File.Exists(PoolDevice)) ExternalCommand.TryRun("dmsetup", "remove", PoolName);
        }
    }
}
