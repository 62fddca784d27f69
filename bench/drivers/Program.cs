// One driver, one store root, one OCI layout: times the phases of bench/drivers/run.sh and prints one table row.
// Usage: DriversBench DRIVER STORE_ROOT OCI_LAYOUT READ_PATH [CONTAINERS]
//   READ_PATH is the path, inside the image, of the large file the "containers" read (e.g. /big/read.bin).
using System.Diagnostics;
using System.Globalization;
using Images.Store;
using Images.Store.Transfer;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: DriversBench DRIVER STORE_ROOT OCI_LAYOUT READ_PATH [CONTAINERS]");
    return 2;
}
string driver = args[0], root = args[1], layout = args[2], readPath = args[3].TrimStart('/');
int containers = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 20;
const int WriteMegabytes = 100;

var row = new List<string> { driver };
void Add(double value, string format = "F2") => row.Add(value.ToString(format, CultureInfo.InvariantCulture));
var created = new List<string>();

using var store = LocalStore.Open(new StoreOptions { Root = root, Driver = driver });
try
{
    // apply: load the 10-layer layout (store + verify blobs, then every layer applied through the driver)
    var clock = Stopwatch.StartNew();
    var loaded = ImageImporter.Load(store, layout);
    var top = loaded[0].Image.TopLayer ?? throw new InvalidOperationException($"{layout}: the image has no layers");
    Add(clock.Elapsed.TotalSeconds);
    // Written-back outside the timings: overlay's unmount syncs the upper filesystem, which would bill apply's
    // dirty pages to mount + unmount.
    Sync();

    // mount + unmount of the image's read-only root
    clock.Restart();
    string rootfs = store.Layers.Mount(top, "bench");
    if (!File.Exists(Path.Combine(rootfs, readPath)))
        throw new InvalidOperationException($"{readPath} is missing in the mounted image at {rootfs}");
    store.Layers.Unmount(top, "bench");
    Add(clock.Elapsed.TotalSeconds);

    // rw layer: create + mount, write 100 MB (fsync'd), then the diff as a layer tar to a null stream
    clock.Restart();
    store.Layers.CreateRw("bench-write", top);
    created.Add("bench-write");
    string rw = store.Layers.MountRw("bench-write");
    Add(clock.Elapsed.TotalSeconds);
    var block = new byte[1 << 20];
    new Random(42).NextBytes(block);
    clock.Restart();
    using (var output = new FileStream(Path.Combine(rw, "written.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
    {
        for (int i = 0; i < WriteMegabytes; i++) output.Write(block);
        output.Flush(flushToDisk: true);
    }
    Add(clock.Elapsed.TotalSeconds);
    clock.Restart();
    var counter = new CountingStream();
    store.Layers.DiffRw("bench-write", counter);
    Add(clock.Elapsed.TotalSeconds);
    Add(counter.Length / 1e6, "F1");
    store.Layers.RemoveRw("bench-write");
    created.Remove("bench-write");

    // "containers": N rw layers on the image, each mounted
    clock.Restart();
    var mounts = new List<string>();
    for (int i = 0; i < containers; i++)
    {
        string name = $"bench-ctr-{i:D2}";
        store.Layers.CreateRw(name, top);
        created.Add(name);
        mounts.Add(store.Layers.MountRw(name));
    }
    Add(clock.Elapsed.TotalSeconds);

    // page cache: drop caches, then read the same file through every container; growth of file-backed page cache
    // (Cached: minus Shmem:, so tmpfs use by other work on the machine does not count) after 1 reader and after N.
    // Three rounds; the medians are printed (the machine is shared and the counters are global).
    var readSeconds = new List<double>();
    var oneReader = new List<double>();
    var allReaders = new List<double>();
    for (int round = 0; round < 3; round++)
    {
        Sync();
        File.WriteAllText("/proc/sys/vm/drop_caches", "3");
        long before = FileCacheKilobytes();
        clock.Restart();
        long afterOne = 0;
        for (int i = 0; i < mounts.Count; i++)
        {
            ReadAll(Path.Combine(mounts[i], readPath));
            if (i == 0) afterOne = FileCacheKilobytes();
        }
        readSeconds.Add(clock.Elapsed.TotalSeconds);
        long afterAll = FileCacheKilobytes();
        oneReader.Add((afterOne - before) / 1024.0);
        allReaders.Add((afterAll - before) / 1024.0);
    }
    Add(Median(readSeconds));
    Add(Median(oneReader), "F0");
    Add(Median(allReaders), "F0");

    clock.Restart();
    foreach (string name in created.ToList())
    {
        store.Layers.RemoveRw(name);
        created.Remove(name);
    }
    Add(clock.Elapsed.TotalSeconds);
    Console.WriteLine(string.Join('\t', row));
    return 0;
}
finally
{
    foreach (string name in created)
    {
        try { store.Layers.RemoveRw(name); }
        catch (Exception e) { Console.Error.WriteLine($"cleanup: removing rw layer {name}: {e.Message}"); }
    }
    store.Cleanup();
}

static void ReadAll(string path)
{
    var buffer = new byte[1 << 20];
    using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    while (input.Read(buffer) > 0) { }
}

static long FileCacheKilobytes()
{
    long cached = -1, shmem = -1;
    foreach (string line in File.ReadLines("/proc/meminfo"))
    {
        if (line.StartsWith("Cached:", StringComparison.Ordinal)) cached = Kilobytes(line);
        else if (line.StartsWith("Shmem:", StringComparison.Ordinal)) shmem = Kilobytes(line);
    }
    if (cached < 0 || shmem < 0) throw new InvalidOperationException("/proc/meminfo lacks the Cached: or Shmem: line");
    return cached - shmem;

    static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

static void Sync()
{
    using var sync = Process.Start("sync") ?? throw new InvalidOperationException("cannot start sync");
    sync.WaitForExit();
}

/// <summary>A write-only sink that counts bytes (the diff goes nowhere, its size is reported).</summary>
sealed class CountingStream : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    private long _length;
    public override void Write(byte[] buffer, int offset, int count) => _length += count;
    public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
