using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Aufs;

/// <summary>How the aufs driver mounts a layer's branch stack.</summary>
public enum AufsBackend
{
    /// <summary>The kernel's aufs filesystem.</summary>
    Kernel,

    /// <summary>fuse-overlayfs over the same branches; it honours <c>.wh.</c> whiteouts in its lower dirs.</summary>
    FuseOverlayfs,
}

public sealed record AufsSupport(bool Supported, string Reason, AufsBackend Backend, string? FuseProgram);

/// <summary>Kernel aufs where the kernel has it, else fuse-overlayfs with /dev/fuse.</summary>
public static class AufsProbe
{
    public const string FuseProgram = "fuse-overlayfs";

    public static AufsSupport Run(string home)
    {
        string full = Path.GetFullPath(home);
        if (full.IndexOfAny([',', ':', '=']) >= 0)
            return No($"the driver home {full} contains ',', ':' or '=', which separate branches in aufs mount options; choose a store root without them");
        if (!Files.IsRoot) return No("mounting aufs or fuse-overlayfs for other users' processes needs root; run as root or choose the vfs driver");
        if (AufsKernelMount.KernelHasAufs())
            return new AufsSupport(true, "kernel aufs", AufsBackend.Kernel, null);
        if (!FuseMount.IsAvailable(FuseProgram, out string why))
            return No($"the kernel has no aufs and the fuse-overlayfs fallback is unavailable: {why}");
        return new AufsSupport(true, "the kernel has no aufs: branches are mounted with fuse-overlayfs", AufsBackend.FuseOverlayfs,
            FuseMount.FindProgram(FuseProgram));
    }

    private static AufsSupport No(string reason) => new(false, reason, AufsBackend.FuseOverlayfs, null);
}
