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
        int max = Environment.SystemPageSize - 1;
        var data = new StringBuilder("br:").Append(rw).Append("=rw");
        int next = 0;
        for (; next < lowers.Count; next++)
        {
            string branch = $":{lowers[next]}=ro+wh";
            if (Encoding.UTF8.GetByteCount(data.ToString()) + branch.Length + Options.Length > max) break;
            data.Append(branch);
        }
        data.Append(Options);
        Mounts.Mount("none", target, "aufs", 0, data.ToString());
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
}
