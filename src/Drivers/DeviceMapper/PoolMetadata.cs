using System.Text.Json;
using System.Text.Json.Serialization;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.DeviceMapper;

/// <summary>A layer's thin device: its number in the pool, the layer it was snapshotted from, its size in bytes.</summary>
internal sealed record DeviceRecord(int DeviceId, string? Parent, long Size)
{
    public ThinDevice Device => new(DeviceId, Size);
}

/// <summary>Everything the driver knows of its pool, as stored in <c>metadata.json</c>.</summary>
internal sealed class PoolState
{
    public int Version { get; set; } = 1;

    /// <summary>Counts committed changes; mirrored into a dm-thin pool's own transaction id.</summary>
    public long TransactionId { get; set; }

    public int NextDeviceId { get; set; } = 1;

    /// <summary>The base device every layer without a parent is snapshotted from (device 0), once made.</summary>
    public DeviceRecord? Base { get; set; }

    public SortedDictionary<string, DeviceRecord> Devices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Devices that must not exist in the pool: recorded before a device is created or deleted, cleared after. After a
    /// crash, whatever is listed here is deleted, so the pool never keeps a device the records do not know.
    /// </summary>
    public SortedSet<int> PendingDeletes { get; set; } = [];

    public int AllocateDeviceId() => NextDeviceId++;

    public IReadOnlyList<string> ChildrenOf(string id) =>
        Devices.Where(d => d.Value.Parent == id).Select(d => d.Key).ToList();
}

/// <summary>
/// <c>metadata.json</c> under the driver's home: read under a shared flock, changed under an exclusive one (so several
/// processes can share a driver home), written atomically (temp file, fsync, rename, fsync of the directory).
/// </summary>
internal sealed class PoolMetadata
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string _lockPath;

    public PoolMetadata(string home)
    {
        Path = System.IO.Path.Combine(home, "metadata.json");
        _lockPath = System.IO.Path.Combine(home, "metadata.lock");
    }

    public string Path { get; }

    public long SizeInBytes => File.Exists(Path) ? new FileInfo(Path).Length : 0;

    public PoolState Read()
    {
        using var shared = FileLock.Acquire(_lockPath, exclusive: false);
        return Load();
    }

    /// <summary>Runs <paramref name="change"/> on the current state under the exclusive lock; it calls <c>commit</c> to save each step.</summary>
    public T Update<T>(Func<PoolState, Action, T> change)
    {
        using var exclusive = FileLock.Acquire(_lockPath, exclusive: true);
        var state = Load();
        return change(state, () => Save(state));
    }

    private PoolState Load()
    {
        if (!File.Exists(Path)) return new PoolState();
        try
        {
            using var stream = File.OpenRead(Path);
            return JsonSerializer.Deserialize<PoolState>(stream, Json)
                ?? throw new JsonException("the document is null");
        }
        catch (JsonException e)
        {
            throw new DriverException(
                $"the devicemapper pool metadata {Path} is damaged ({e.Message}): restore it from a backup, or remove the driver's home to start over (layers are re-created from the content store)", e);
        }
    }

    private void Save(PoolState state) => AtomicFile.Write(Path, JsonSerializer.SerializeToUtf8Bytes(state, Json));
}
