using System.Runtime.InteropServices;
using System.Text;

namespace Images.Platform;

/// <summary>A loop device and the file behind it, as listed by <see cref="LoopDevice.List"/>.</summary>
public sealed record LoopAttachment(string Device, string BackingFile);

/// <summary>
/// A regular file attached to a free loop device (/dev/loop-control LOOP_CTL_GET_FREE, then LOOP_CONFIGURE, which sets
/// the file and the flags in one step so no other process can slip in between). The device is attached with
/// autoclear: once this object is disposed and nothing else holds the device (no mount), the kernel detaches it
/// by itself, so a crash between attach and mount leaks nothing. Needs Linux 5.8 or later and CAP_SYS_ADMIN.
/// </summary>
public sealed unsafe class LoopDevice : IDisposable
{
    private const ulong LOOP_CLR_FD = 0x4C01;
    private const ulong LOOP_CONFIGURE = 0x4C0A;
    private const ulong LOOP_CTL_GET_FREE = 0x4C82;
    private const uint LO_FLAGS_READ_ONLY = 1;
    private const uint LO_FLAGS_AUTOCLEAR = 4;
    private const uint LO_FLAGS_DIRECT_IO = 16;
    private const string Control = "/dev/loop-control";

    [StructLayout(LayoutKind.Sequential)]
    private struct LoopInfo64
    {
        public ulong lo_device;
        public ulong lo_inode;
        public ulong lo_rdevice;
        public ulong lo_offset;
        public ulong lo_sizelimit;
        public uint lo_number;
        public uint lo_encrypt_type;
        public uint lo_encrypt_key_size;
        public uint lo_flags;
        public fixed byte lo_file_name[64];
        public fixed byte lo_crypt_name[64];
        public fixed byte lo_encrypt_key[32];
        public fixed ulong lo_init[2];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct LoopConfig
    {
        public uint fd;
        public uint block_size;
        public LoopInfo64 info;
        public fixed ulong reserved[8];
    }

    private int _fd;

    /// <summary>The device node, e.g. <c>/dev/loop3</c>.</summary>
    public string Path { get; }

    public string BackingFile { get; }

    private LoopDevice(int fd, string path, string backingFile)
    {
        _fd = fd;
        Path = path;
        BackingFile = backingFile;
    }

    /// <summary>True when this kernel offers loop devices (the control node exists).</summary>
    public static bool Available => File.Exists(Control);

    /// <summary>Attaches <paramref name="backingFile"/> to a free loop device.</summary>
    public static LoopDevice Attach(string backingFile, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(backingFile);
        string full = System.IO.Path.GetFullPath(backingFile);
        int fileFd = LibC.open(full, (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_CLOEXEC, 0);
        UnixException.ThrowIfFailed(fileFd, "open", full);
        try
        {
            int control = LibC.open(Control, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
            UnixException.ThrowIfFailed(control, "open", Control);
            try
            {
                // Another process may take the free device between GET_FREE and CONFIGURE: it then answers EBUSY.
                bool directIo = true;
                for (int attempt = 0; ; attempt++)
                {
                    int number = LibC.ioctl(control, LOOP_CTL_GET_FREE, 0);
                    UnixException.ThrowIfFailed(number, "ioctl(LOOP_CTL_GET_FREE)", Control);
                    string device = $"/dev/loop{number}";
                    int loopFd = LibC.open(device, (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_CLOEXEC, 0);
                    UnixException.ThrowIfFailed(loopFd, "open", device);
                    var config = new LoopConfig { fd = (uint)fileFd };
                    // Direct I/O to the backing file: otherwise every page is cached twice, once by the filesystem on
                    // the device and once more as the backing file's pages. A kernel or filesystem that cannot do it
                    // answers EINVAL, and the device is attached with buffered I/O instead.
                    config.info.lo_flags = LO_FLAGS_AUTOCLEAR | (readOnly ? LO_FLAGS_READ_ONLY : 0) | (directIo ? LO_FLAGS_DIRECT_IO : 0);
                    var name = Encoding.UTF8.GetBytes(full);
                    int n = Math.Min(name.Length, 63);
                    for (int i = 0; i < n; i++) config.info.lo_file_name[i] = name[i];
                    if (LibC.ioctl(loopFd, LOOP_CONFIGURE, (nint)(&config)) == 0)
                        return new LoopDevice(loopFd, device, full);
                    int errno = UnixException.LastErrno;
                    LibC.close(loopFd);
                    if (errno == LibC.EBUSY && attempt < 64) continue;
                    if (errno == LibC.EINVAL && directIo)
                    {
                        directIo = false;
                        continue;
                    }
                    throw new UnixException("ioctl(LOOP_CONFIGURE)", $"{device} <- {full}", errno);
                }
            }
            finally
            {
                LibC.close(control);
            }
        }
        finally
        {
            LibC.close(fileFd); // the loop device holds its own reference to the file
        }
    }

    /// <summary>
    /// Detaches <paramref name="device"/> now (LOOP_CLR_FD). A device still mounted is only marked for autoclear by the
    /// kernel and goes when unmounted. A device that is not attached is left alone.
    /// </summary>
    public static void Detach(string device)
    {
        int fd = LibC.open(device, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            if (UnixException.LastErrno is LibC.ENOENT or LibC.ENXIO) return;
            throw new UnixException("open", device, UnixException.LastErrno);
        }
        try
        {
            if (LibC.ioctl(fd, LOOP_CLR_FD, 0) != 0 && UnixException.LastErrno != LibC.ENXIO)
                throw new UnixException("ioctl(LOOP_CLR_FD)", device, UnixException.LastErrno);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Every attached loop device and its backing file, from /sys/block/loop*/loop/backing_file.</summary>
    public static IReadOnlyList<LoopAttachment> List()
    {
        var result = new List<LoopAttachment>();
        if (!Directory.Exists("/sys/block")) return result;
        foreach (var dir in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            string backing = System.IO.Path.Combine(dir, "loop", "backing_file");
            string file;
            try
            {
                file = File.ReadAllText(backing).TrimEnd('\n');
            }
            catch (IOException)
            {
                continue; // not attached (no loop/ directory), or detached while we looked
            }
            result.Add(new LoopAttachment("/dev/" + System.IO.Path.GetFileName(dir), file));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Device, b.Device));
        return result;
    }

    /// <summary>The loop devices whose backing file is <paramref name="file"/> or lies under it, if it is a directory.</summary>
    public static IReadOnlyList<LoopAttachment> ListBackedBy(string file)
    {
        string full = System.IO.Path.GetFullPath(file).TrimEnd('/');
        return List().Where(a => a.BackingFile == full || a.BackingFile.StartsWith(full + "/", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Closes this process's handle; with autoclear the kernel detaches the device once nothing uses it.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) LibC.close(fd);
    }
}
