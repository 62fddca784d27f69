using Images.Platform;

namespace Images.Drivers.Common;

/// <summary>The kernel mount steps the union drivers (overlay, aufs) share: a base layer's bind mount and a reliable unmount.</summary>
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
    /// Unmounts <paramref name="target"/>; when something still has files open there (EBUSY) detaches it lazily, so
    /// the kernel finishes once they close. A target that is not mounted (EINVAL) counts as unmounted.
    /// </summary>
    public static void Unmount(string target)
    {
        try
        {
            Mounts.Unmount(target);
        }
        catch (UnixException e) when (e.Errno == 16 /* EBUSY */)
        {
            Mounts.Unmount(target, detach: true);
        }
        catch (UnixException e) when (e.Errno == 22 /* EINVAL: not a mount point */)
        {
        }
    }
}
