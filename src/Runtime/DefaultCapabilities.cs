namespace Images.Runtime;

/// <summary>
/// Docker's default capability set: what a container's root keeps (the builtin runtime limits the bounding set to
/// it, the runc bundle lists it). Everything else (CAP_SYS_ADMIN first) is dropped.
/// </summary>
internal static class DefaultCapabilities
{
    public static readonly IReadOnlyList<(string Name, int Number)> All =
    [
        ("CAP_CHOWN", 0), ("CAP_DAC_OVERRIDE", 1), ("CAP_FOWNER", 3), ("CAP_FSETID", 4), ("CAP_KILL", 5),
        ("CAP_SETGID", 6), ("CAP_SETUID", 7), ("CAP_SETPCAP", 8), ("CAP_NET_BIND_SERVICE", 10), ("CAP_NET_RAW", 13),
        ("CAP_SYS_CHROOT", 18), ("CAP_MKNOD", 27), ("CAP_AUDIT_WRITE", 29), ("CAP_SETFCAP", 31),
    ];

    public static readonly IReadOnlySet<int> Numbers = All.Select(c => c.Number).ToHashSet();

    public static readonly IReadOnlyList<string> Names = [.. All.Select(c => c.Name)];
}
