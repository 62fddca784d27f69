namespace Images.Platform;

/// <summary>mount(2) and umount2(2), and reading the mount table.</summary>
public static class Mounts
{
    public const ulong MS_RDONLY = 1;
    public const ulong MS_NOSUID = 2;
    public const ulong MS_NODEV = 4;
    public const ulong MS_NOEXEC = 8;
    public const ulong MS_REMOUNT = 32;
    public const ulong MS_BIND = 4096;
    public const ulong MS_MOVE = 8192;
    public const ulong MS_REC = 16384;
    public const ulong MS_PRIVATE = 1 << 18;
    public const ulong MS_SLAVE = 1 << 19;

    public static void Mount(string? source, string target, string? fsType, ulong flags, string? data) =>
        UnixException.ThrowIfFailed(LibC.mount(source, target, fsType, flags, data), "mount", $"{fsType ?? "bind"} {source} on {target}");

    /// <summary>Unmounts <paramref name="target"/>; with <paramref name="detach"/> lazily (MNT_DETACH).</summary>
    public static void Unmount(string target, bool detach = false) =>
        UnixException.ThrowIfFailed(LibC.umount2(target, detach ? LibC.MNT_DETACH : 0), "umount", target);

    /// <summary>True when <paramref name="path"/> is a mount point in this process's mount namespace.</summary>
    public static bool IsMountPoint(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd('/');
        if (full.Length == 0) full = "/";
        return MountPoints().Contains(full);
    }

    /// <summary>All mount points of this mount namespace, from /proc/self/mountinfo (octal escapes decoded).</summary>
    public static IReadOnlyList<string> MountPoints()
    {
        var result = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4) result.Add(Unescape(fields[4]));
        }
        return result;
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length)
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
