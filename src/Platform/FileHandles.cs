using Microsoft.Win32.SafeHandles;

namespace Images.Platform;

/// <summary>
/// Creating a file and setting its metadata through one descriptor: no path lookups after the open, no
/// symlink followed at the last component, and none of the BCL's extra calls (flock, fstatfs, lseek) per file,
/// which matter when unpacking tens of thousands of small files.
/// </summary>
public static unsafe class FileHandles
{
    /// <summary>Creates <paramref name="path"/>, which must not exist (O_EXCL) and is never a followed symlink (O_NOFOLLOW).</summary>
    public static SafeFileHandle CreateNew(string path, uint permissions)
    {
        int fd = LibC.open(path, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, permissions & 0xfff);
        UnixException.ThrowIfFailed(fd, "open", path);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Writes all of <paramref name="data"/> at the current position.</summary>
    public static void WriteAll(SafeFileHandle file, ReadOnlySpan<byte> data, string path)
    {
        fixed (byte* start = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = LibC.write(Fd(file), start + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    if (UnixException.LastErrno == 4 /* EINTR */) continue;
                    throw new UnixException("write", path, UnixException.LastErrno);
                }
                done += (int)n;
            }
        }
    }

    public static void Chown(SafeFileHandle file, uint uid, uint gid, string path) =>
        UnixException.ThrowIfFailed(LibC.fchown(Fd(file), uid, gid), "fchown", path);

    /// <summary>fchmod with all 12 permission bits.</summary>
    public static void Chmod(SafeFileHandle file, uint permissions, string path) =>
        UnixException.ThrowIfFailed(LibC.fchmod(Fd(file), permissions & 0xfff), "fchmod", path);

    /// <summary>Sets the modification time (and the access time to the same).</summary>
    public static void SetTimes(SafeFileHandle file, DateTimeOffset mtime, string path)
    {
        var times = stackalloc LibC.Timespec[2];
        times[0] = times[1] = Files.ToTimespec(mtime);
        UnixException.ThrowIfFailed(LibC.futimens(Fd(file), times), "futimens", path);
    }

    private static int Fd(SafeFileHandle file) => (int)file.DangerousGetHandle();
}
