using System.Text;
using Images.Platform;

namespace Images.Drivers.Aufs;

/// <summary>
/// Mounts a branch stack with the kernel's aufs (where <c>/proc/filesystems</c> lists it): the layer's diff dir as the
/// rw branch, its ancestors' as <c>ro+wh</c> branches. Branches that do not fit the one-page mount data are appended
/// by remounts. NOT exercised by the tests: the development kernel has no aufs.
/// </summary>
public static class AufsKernelMount
{
    private const string Options = ",dio,xino=/dev/shm/aufs.xino";

    /// <summary>True when the running kernel offers aufs.</summary>
    public static bool KernelHasAufs() =>
        File.Exists("/proc/filesystems") &&
        File.ReadLines("/proc/filesystems").Any(line => line.Split('\t').LastOrDefault()?.Trim() == "aufs");

    public static void Mount(string rw, IReadOnlyList<string> lowers, string target)
    {
        Mounts.Mount("none", target, "aufs", 0, FirstMountData(rw, lowers, out int next));
        try
        {
            for (; next < lowers.Count; next++)
                Mounts.Mount("none", target, "aufs", Mounts.MS_REMOUNT, $"append:{lowers[next]}=ro+wh");
        }
        catch
        {
            Mounts.Unmount(target, detach: true);
            throw;
        }
    }

    /// <summary>
    /// The data of the first mount: the rw branch and as many <paramref name="lowers"/> (top first) as fit one page;
    /// <paramref name="fitted"/> says how many, the rest are appended by remounts.
    /// </summary>
    public static string FirstMountData(string rw, IReadOnlyList<string> lowers, out int fitted)
    {
        int max = Environment.SystemPageSize - 1;
        var data = new StringBuilder("br:").Append(rw).Append("=rw");
        int length = Encoding.UTF8.GetByteCount(data.ToString());
        for (fitted = 0; fitted < lowers.Count; fitted++)
        {
            string branch = $":{lowers[fitted]}=ro+wh";
            int size = Encoding.UTF8.GetByteCount(branch);
            if (length + size + Options.Length > max) break;
            data.Append(branch);
            length += size;
        }
        return data.Append(Options).ToString();
    }
}
