using System.Buffers.Binary;
using System.Text;

namespace Images.Platform;

/// <summary>
/// btrfs subvolume ioctls (layouts from the kernel's uapi linux/btrfs.h): create, snapshot, delete, read-only flag.
/// Each takes an open directory and a name, as the kernel does; these wrappers take paths.
/// </summary>
public static unsafe class BtrfsSubvolumes
{
    private const int VolArgsSize = 4096;         // struct btrfs_ioctl_vol_args and _v2 are both one page
    private const int VolArgsNameOffset = 8;      // after __s64 fd
    private const int VolArgsV2FlagsOffset = 16;  // after fd, transid
    private const int VolArgsV2NameOffset = 56;   // after fd, transid, flags, union { size, qgroup_inherit; unused[4] }
    private const int NameMax = 255;              // BTRFS_VOL_NAME_MAX

    private const ulong BTRFS_IOC_SUBVOL_CREATE = 0x5000940E;  // _IOW(0x94, 14, btrfs_ioctl_vol_args)
    private const ulong BTRFS_IOC_SNAP_DESTROY = 0x5000940F;   // _IOW(0x94, 15, btrfs_ioctl_vol_args)
    private const ulong BTRFS_IOC_SNAP_CREATE_V2 = 0x50009417; // _IOW(0x94, 23, btrfs_ioctl_vol_args_v2)
    private const ulong BTRFS_IOC_SUBVOL_GETFLAGS = 0x80089419; // _IOR(0x94, 25, __u64)
    private const ulong BTRFS_IOC_SUBVOL_SETFLAGS = 0x4008941A; // _IOW(0x94, 26, __u64)
    private const ulong BTRFS_SUBVOL_RDONLY = 1UL << 1;

    /// <summary>The inode number of every subvolume's root directory (BTRFS_FIRST_FREE_OBJECTID).</summary>
    private const ulong SubvolumeRootInode = 256;

    /// <summary>True when <paramref name="path"/> is on btrfs (statfs magic).</summary>
    public static bool IsBtrfs(string path) => FileSystems.Stat(path).Magic == SuperMagic;

    /// <summary>statfs f_type of btrfs (BTRFS_SUPER_MAGIC).</summary>
    public const long SuperMagic = 0x9123683E;

    /// <summary>True when <paramref name="path"/> is the root of a btrfs subvolume.</summary>
    public static bool IsSubvolume(string path) =>
        Files.TryLstat(path, out var status) && status.Kind == FileKind.Directory &&
        status.Inode == SubvolumeRootInode && IsBtrfs(path);

    /// <summary>Creates an empty subvolume at <paramref name="path"/> (its parent directory must exist).</summary>
    public static void Create(string path)
    {
        var (parent, name) = Split(path);
        WithDirectory(parent, dirFd =>
        {
            var args = new byte[VolArgsSize];
            WriteName(args, VolArgsNameOffset, name);
            Ioctl(dirFd, BTRFS_IOC_SUBVOL_CREATE, args, "ioctl(BTRFS_IOC_SUBVOL_CREATE)", path);
        });
    }

    /// <summary>Creates <paramref name="destination"/> as a snapshot of subvolume <paramref name="source"/>, optionally read-only.</summary>
    public static void Snapshot(string source, string destination, bool readOnly = false)
    {
        var (parent, name) = Split(destination);
        WithDirectory(source, sourceFd => WithDirectory(parent, dirFd =>
        {
            var args = new byte[VolArgsSize];
            BinaryPrimitives.WriteInt64LittleEndian(args, sourceFd);
            BinaryPrimitives.WriteUInt64LittleEndian(args.AsSpan(VolArgsV2FlagsOffset), readOnly ? BTRFS_SUBVOL_RDONLY : 0);
            WriteName(args, VolArgsV2NameOffset, name);
            Ioctl(dirFd, BTRFS_IOC_SNAP_CREATE_V2, args, "ioctl(BTRFS_IOC_SNAP_CREATE_V2)", $"{destination} from {source}");
        }));
    }

    /// <summary>Deletes subvolume <paramref name="path"/> (read-only ones too; as root no mount option is needed).</summary>
    public static void Delete(string path)
    {
        var (parent, name) = Split(path);
        WithDirectory(parent, dirFd =>
        {
            var args = new byte[VolArgsSize];
            WriteName(args, VolArgsNameOffset, name);
            Ioctl(dirFd, BTRFS_IOC_SNAP_DESTROY, args, "ioctl(BTRFS_IOC_SNAP_DESTROY)", path);
        });
    }

    public static bool IsReadOnly(string path)
    {
        bool result = false;
        WithDirectory(path, fd => result = (GetFlags(fd, path) & BTRFS_SUBVOL_RDONLY) != 0);
        return result;
    }

    /// <summary>Sets or clears the read-only flag of subvolume <paramref name="path"/>.</summary>
    public static void SetReadOnly(string path, bool readOnly)
    {
        WithDirectory(path, fd =>
        {
            ulong flags = GetFlags(fd, path);
            ulong wanted = readOnly ? flags | BTRFS_SUBVOL_RDONLY : flags & ~BTRFS_SUBVOL_RDONLY;
            if (wanted != flags) SetFlags(fd, wanted, path);
        });
    }

    private static ulong GetFlags(int fd, string path)
    {
        ulong flags = 0;
        UnixException.ThrowIfFailed(LibC.ioctl(fd, BTRFS_IOC_SUBVOL_GETFLAGS, (nint)(&flags)), "ioctl(BTRFS_IOC_SUBVOL_GETFLAGS)", path);
        return flags;
    }

    private static void SetFlags(int fd, ulong flags, string path) =>
        UnixException.ThrowIfFailed(LibC.ioctl(fd, BTRFS_IOC_SUBVOL_SETFLAGS, (nint)(&flags)), "ioctl(BTRFS_IOC_SUBVOL_SETFLAGS)", path);

    private static (string Parent, string Name) Split(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd('/');
        string name = Path.GetFileName(full);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || name.Length == 0)
            throw new ArgumentException($"'{path}' names no subvolume inside a directory", nameof(path));
        if (Encoding.UTF8.GetByteCount(name) > NameMax)
            throw new ArgumentException($"subvolume name '{name}' is longer than {NameMax} bytes", nameof(path));
        return (parent, name);
    }

    private static void WriteName(byte[] args, int offset, string name) =>
        Encoding.UTF8.GetBytes(name, args.AsSpan(offset)); // the rest stays zero: NUL-terminated

    private static void Ioctl(int fd, ulong request, byte[] args, string call, string subject)
    {
        fixed (byte* p = args)
            UnixException.ThrowIfFailed(LibC.ioctl(fd, request, (nint)p), call, subject);
    }

    private static void WithDirectory(string path, Action<int> action)
    {
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        UnixException.ThrowIfFailed(fd, "open", path);
        try
        {
            action(fd);
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
