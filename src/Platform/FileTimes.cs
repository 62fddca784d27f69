namespace Images.Platform;

/// <summary>Timestamps to the nanosecond, which <see cref="Files.SetTimesNoFollow"/> (DateTimeOffset, 100 ns ticks) cannot carry.</summary>
public static unsafe class FileTimes
{
    /// <summary>
    /// Sets the modification (and access) time of <paramref name="path"/> exactly, without following a symlink, so a
    /// copy compares equal to its source in tools that look at nanoseconds (change detection, rsync).
    /// </summary>
    public static void SetNoFollow(string path, long seconds, uint nanoseconds)
    {
        var times = stackalloc LibC.Timespec[2];
        times[0] = new LibC.Timespec { tv_sec = seconds, tv_nsec = nanoseconds };
        times[1] = times[0];
        UnixException.ThrowIfFailed(
            LibC.utimensat(LibC.AT_FDCWD, path, times, LibC.AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }
}
