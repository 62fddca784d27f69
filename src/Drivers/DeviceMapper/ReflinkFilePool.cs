using System.Globalization;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.DeviceMapper;

/// <summary>
/// Thin provisioning without device-mapper: each thin device is a sparse image file on a reflink-capable filesystem
/// (<c>devices/&lt;n&gt;.img</c>), a snapshot is a FICLONE copy that shares every extent until written, and a device is
/// activated by attaching its file to a loop device.
/// <para>The filesystem is the driver's home itself when that is xfs or btrfs with reflinks; otherwise the pool makes
/// <c>pool.img</c> (sparse, <c>mkfs.xfs -m reflink=1</c>) and loop-mounts it at <c>pool/</c> while it is in use: from the
/// first <see cref="Use"/> until the last handle is released by every process (a shared flock on <c>pool.lock</c>
/// marks the users), so an idle store holds no mount and no loop device.</para>
/// </summary>
internal sealed class ReflinkFilePool : IThinPool
{
    private const int DetachWaitMilliseconds = 5000;
    private const long XfsMagic = 0x58465342;
    private const long BtrfsMagic = 0x9123683E;

    private readonly string _home;
    private readonly string _image;   // pool.img, or null-equivalent when the home itself is the pool
    private readonly string _lockPath;
    private readonly bool _ownFilesystem;
    private readonly long _size;
    private readonly object _gate = new();
    private int _users;
    private FileLock? _shared;

    private ReflinkFilePool(string home, long size, bool ownFilesystem)
    {
        _home = home;
        _size = size;
        _ownFilesystem = ownFilesystem;
        _image = Path.Combine(home, "pool.img");
        _lockPath = Path.Combine(home, "pool.lock");
        Root = ownFilesystem ? Path.Combine(home, "pool") : home;
    }

    /// <summary>The directory of the pool filesystem (a mount point when the pool has its own filesystem).</summary>
    public string Root { get; }

    private string DevicesDirectory => Path.Combine(Root, "devices");

    public string Description => _ownFilesystem
        ? $"loop-file reflink pool (xfs image {_image} mounted at {Root} while in use)"
        : $"loop-file reflink pool (directly on {FileSystems.TypeOf(_home)} at {_home})";

    /// <summary>Opens the pool under <paramref name="home"/>, on home's own filesystem when it can reflink.</summary>
    public static ReflinkFilePool Open(string home, long size)
    {
        Directory.CreateDirectory(home);
        bool homeReflinks = CanReflink(home);
        return new ReflinkFilePool(home, size, ownFilesystem: !homeReflinks);
    }

    /// <summary>True when files in <paramref name="directory"/> can share extents (xfs with reflink, btrfs).</summary>
    internal static bool CanReflink(string directory)
    {
        long magic = FileSystems.Stat(directory).Magic; // only xfs and btrfs are worth a probe
        return magic is XfsMagic or BtrfsMagic && TreeCopy.SupportsReflink(directory);
    }

    public IDisposable Use()
    {
        lock (_gate)
        {
            if (_users == 0) _shared = Acquire();
            _users++;
        }
        return new Lease(this);
    }

    private sealed class Lease(ReflinkFilePool pool) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) pool.Release();
        }
    }

    /// <summary>Takes the shared lock with the pool filesystem mounted (making and mounting it under the exclusive lock first if needed).</summary>
    private FileLock Acquire()
    {
        while (true)
        {
            var shared = FileLock.Acquire(_lockPath, exclusive: false);
            if (IsReady()) return shared;
            shared.Dispose();
            using (FileLock.Acquire(_lockPath, exclusive: true))
            {
                if (!IsReady()) Prepare();
            }
            // Another process may unmount between our exclusive and shared lock: loop and look again.
        }
    }

    private bool IsReady() => !_ownFilesystem ? Directory.Exists(DevicesDirectory) : Mounts.IsMountPoint(Root);

    private void Prepare()
    {
        if (_ownFilesystem)
        {
            if (!File.Exists(_image)) MakeImage();
            Directory.CreateDirectory(Root);
            using var loop = LoopDevice.Attach(_image);
            Mounts.Mount(loop.Path, Root, "xfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, null);
        }
        Directory.CreateDirectory(DevicesDirectory);
    }

    private void MakeImage()
    {
        string temp = Path.Combine(_home, AtomicDirectories.StagingName("pool.img"));
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                file.SetLength(_size);
            ExternalCommand.Run($"make the pool filesystem in {_image}", "mkfs.xfs", "-q", "-m", "reflink=1", temp);
            File.Move(temp, _image);
            Files.FsyncDirectory(_home);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The last user in this process lets go; when no other process holds the pool either, it is unmounted.</summary>
    private void Release()
    {
        lock (_gate)
        {
            if (_users == 0 || --_users > 0) return;
            _shared?.Dispose();
            _shared = null;
            if (!_ownFilesystem) return;
            using var exclusive = FileLock.TryAcquire(_lockPath, exclusive: true, wait: false);
            if (exclusive is null || !Mounts.IsMountPoint(Root)) return; // another process uses it
            try
            {
                // A layer device's loop detaches asynchronously after its own unmount: give it a moment.
                LayerMounts.UnmountNow(Root);
            }
            catch (UnixException e) when (e.Errno == 16 /* EBUSY */)
            {
                return; // a device of it is still attached somewhere: its user unmounts the pool later
            }
            WaitUntilDetached(_image);
        }
    }

    private string FileOf(ThinDevice device) =>
        Path.Combine(DevicesDirectory, device.DeviceId.ToString(CultureInfo.InvariantCulture) + ".img");

    public void SetTransactionId(long current, long next)
    {
        // The image files are the pool's whole state: the transaction id lives in the driver's metadata only.
    }

    public void CreateThin(ThinDevice device) =>
        Publish(device, temp =>
        {
            using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
            file.SetLength(device.Size);
            file.Flush(flushToDisk: true);
        });

    public void CreateSnapshot(ThinDevice device, ThinDevice origin) =>
        Publish(device, temp =>
        {
            using var source = File.OpenHandle(FileOf(origin), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var clone = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            if (!Files.TryClone(source, clone))
                throw new DriverException(
                    $"cannot snapshot thin device {origin.DeviceId} in {Root}: the filesystem cannot reflink; " +
                    "remove the pool and let the driver make an xfs pool (mkfs.xfs -m reflink=1)");
            if (device.Size > origin.Size) RandomAccess.SetLength(clone, device.Size);
            RandomAccess.FlushToDisk(clone);
        });

    /// <summary>Fills a temp file, then renames it to the device's name, so a device file is always complete.</summary>
    private void Publish(ThinDevice device, Action<string> fill)
    {
        string final = FileOf(device);
        string temp = Path.Combine(DevicesDirectory, AtomicDirectories.StagingName(Path.GetFileName(final)));
        try
        {
            fill(temp);
            Renames.MoveNoReplace(temp, final);
            Files.FsyncDirectory(DevicesDirectory);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public void Grow(ThinDevice device, long size)
    {
        using var handle = File.OpenHandle(FileOf(device), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (RandomAccess.GetLength(handle) < size) RandomAccess.SetLength(handle, size);
        RandomAccess.FlushToDisk(handle);
    }

    public void Delete(ThinDevice device)
    {
        string file = FileOf(device);
        if (!File.Exists(file)) return;
        foreach (var loop in LoopDevice.ListBackedBy(file)) LoopDevice.Detach(loop.Device);
        File.Delete(file);
        Files.FsyncDirectory(DevicesDirectory);
    }

    public ActiveDevice Activate(ThinDevice device)
    {
        var loop = LoopDevice.Attach(FileOf(device));
        return new ActiveDevice(loop.Path, loop);
    }

    public void Deactivate(ThinDevice device)
    {
        // Attached with autoclear, the loop device goes by itself once unmounted; make sure, so none is left behind.
        string file = FileOf(device);
        foreach (var loop in LoopDevice.ListBackedBy(file)) LoopDevice.Detach(loop.Device);
        WaitUntilDetached(file);
    }

    private static void WaitUntilDetached(string file)
    {
        var deadline = Environment.TickCount64 + DetachWaitMilliseconds;
        while (LoopDevice.ListBackedBy(file).Count > 0 && Environment.TickCount64 < deadline) Thread.Sleep(2);
    }

    public void Flush(ThinDevice device)
    {
        if (!IsReady()) return; // an unmounted pool wrote everything out when it was unmounted
        using var lease = Use();
        using var handle = File.OpenHandle(FileOf(device), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        RandomAccess.FlushToDisk(handle);
    }

    public PoolUsage Usage()
    {
        var fs = FileSystems.Stat(Root);
        return new PoolUsage(fs.TotalBytes - (long)fs.FreeBlocks * fs.BlockSize, fs.TotalBytes, Root);
    }

    /// <summary>Lets go of the pool, whatever this process still holds (driver cleanup).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_users == 0) return;
            _users = 1;
        }
        Release();
    }
}
