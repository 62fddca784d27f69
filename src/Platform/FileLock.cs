using Microsoft.Win32.SafeHandles;

namespace Images.Platform;

/// <summary>
/// An advisory flock(2) on a lock file, shared or exclusive. Released on dispose, and by the kernel when the
/// process dies, so a killed process never leaves a stale lock behind.
/// </summary>
public sealed class FileLock : IDisposable
{
    private int _fd;

    private FileLock(int fd) => _fd = fd;

    public static FileLock Acquire(string path, bool exclusive) =>
        TryAcquire(path, exclusive, wait: true) ?? throw new InvalidOperationException("unreachable");

    /// <summary>Takes the lock; without <paramref name="wait"/> returns null when another holder has it.</summary>
    public static FileLock? TryAcquire(string path, bool exclusive, bool wait)
    {
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0x180 /* 0600 */);
        UnixException.ThrowIfFailed(fd, "open", path);
        int op = (exclusive ? LibC.LOCK_EX : LibC.LOCK_SH) | (wait ? 0 : LibC.LOCK_NB);
        while (LibC.flock(fd, op) != 0)
        {
            int errno = UnixException.LastErrno;
            if (errno == 4 /* EINTR */) continue;
            LibC.close(fd);
            if (errno == LibC.EWOULDBLOCK) return null;
            throw new UnixException("flock", path, errno);
        }
        return new FileLock(fd);
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) LibC.close(fd);
    }
}
