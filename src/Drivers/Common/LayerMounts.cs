using Images.Platform;

namespace Images.Drivers.Common;

/// <summary>The kernel mount steps drivers share: a base layer's bind mount and reliable unmounts.</summary>
public static class LayerMounts
{
    /// <summary>
    /// Mounts <paramref name="directory"/> onto <paramref name="target"/> (a base layer has nothing to merge with:
    /// overlayfs needs a lower dir beside an upper, so its merged view is its diff dir itself).
    /// </summary>
    public static void Bind(string directory, string target)
    {
        Mounts.Mount(directory, target, null, Mounts.MS_BIND, null);
        // Keep later mounts inside the layer from propagating to its diff dir's other mounts, and back.
        Mounts.Mount(null, target, null, Mounts.MS_PRIVATE, null);
    }

    /// <summary>
    /// Unmounts <paramref name="target"/>; when something still has files open there (EBUSY) after a short retry,
    /// detaches it lazily, so the kernel finishes once they close. A target that is not mounted (EINVAL) counts as unmounted.
    /// </summary>
    public static void Unmount(string target)
    {
        try
        {
            UnmountNow(target, TimeSpan.FromMilliseconds(500));
        }
        catch (UnixException e) when (e.Errno == 16 /* EBUSY */)
        {
            Mounts.Unmount(target, detach: true);
        }
    }

    /// <summary>
    /// Unmounts <paramref name="target"/> completely before returning, for filesystems whose backing file must be
    /// whole afterwards (a loop-mounted device about to be snapshotted). EBUSY is retried for <paramref name="patience"/>
    /// (default two seconds): a process passing through, such as a `find` with its working directory inside, holds a
    /// mount only briefly. A target that is not mounted (EINVAL) counts as unmounted.
    /// </summary>
    public static void UnmountNow(string target, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(2));
        while (true)
        {
            try
            {
                Mounts.Unmount(target);
                return;
            }
            catch (UnixException e) when (e.Errno == 22 /* EINVAL: not a mount point */)
            {
                return;
            }
            catch (UnixException e) when (e.Errno == 16 /* EBUSY */ && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }
}
