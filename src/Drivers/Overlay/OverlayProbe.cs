using System.Collections.Concurrent;
using System.Text;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Overlay;

/// <summary>What the probe found out about overlayfs for one home directory.</summary>
/// <param name="Supported">A real test mount behaved as the driver needs.</param>
/// <param name="Reason">Why not, or what works.</param>
/// <param name="FeatureOptions">Options that switch off upper-dir-altering features (<c>redirect_dir=off,...</c>) when
/// the kernel accepts them, else empty.</param>
/// <param name="NativeDiff">Whether a layer's diff dir holds exactly its changes after being mounted with
/// <paramref name="FeatureOptions"/> (false when redirect_dir or metacopy could be on).</param>
/// <param name="BackingFilesystem">The filesystem type under home.</param>
public sealed record OverlaySupport(bool Supported, string Reason, string FeatureOptions, bool NativeDiff, string BackingFilesystem);

/// <summary>
/// Finds out once per home whether overlayfs works there: the backing filesystem must not be overlayfs, must report
/// d_type and hold trusted.* xattrs, and a test mount (two lowers, a whiteout, an opaque dir, a write and a delete)
/// must show the merged view the driver relies on.
/// </summary>
public static class OverlayProbe
{
    /// <summary>Features whose on-disk effects (redirect xattrs, metadata-only copy-ups, index entries) keep a layer's diff dir from being its whole diff.</summary>
    public const string FeaturesOff = "redirect_dir=off,metacopy=off,index=off";

    private static readonly ConcurrentDictionary<string, OverlaySupport> Results = new(StringComparer.Ordinal);

    /// <summary>The probe result for <paramref name="home"/>, computed on first use.</summary>
    public static OverlaySupport For(string home) =>
        Results.GetOrAdd(Path.GetFullPath(home), Run);

    /// <summary>Runs the probe now (tests use this to see a fresh result).</summary>
    public static OverlaySupport Run(string home)
    {
        home = Path.GetFullPath(home);
        try
        {
            Directory.CreateDirectory(home);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return No("?", $"cannot create the driver home {home}: {e.Message}");
        }
        var fs = FileSystems.Stat(home);
        if (fs.Magic == 0x794C7630)
            return No(fs.TypeName,
                $"{home} is on overlayfs, which overlayfs does not accept as an upper layer; put the store root on ext4, xfs, btrfs or tmpfs");
        if (!Files.IsRoot)
            return No(fs.TypeName, "mounting overlayfs needs root; run as root or choose the vfs driver");

        string scratch = Path.Combine(home, AtomicDirectories.StagingName("overlay-probe"));
        string merged = Path.Combine(scratch, "merged");
        bool mounted = false;
        try
        {
            string lower1 = Dir(scratch, "lower1"), lower2 = Dir(scratch, "lower2");
            string upper = Dir(scratch, "upper");
            Dir(scratch, "work");
            Dir(scratch, "merged");
            File.WriteAllText(Path.Combine(lower1, "removed"), "lower1");
            File.WriteAllText(Path.Combine(lower1, "kept"), "lower1");
            File.WriteAllText(Path.Combine(Dir(lower1, "opaque"), "hidden"), "lower1");
            if (!DirectoryEntryTypes.Reported(lower1))
                return No(fs.TypeName,
                    $"the {fs.TypeName} filesystem under {home} does not report entry types (d_type), which overlayfs needs to see whiteouts; " +
                    "recreate it with d_type support (xfs: mkfs.xfs -n ftype=1) or choose another driver");
            Files.Mknod(Path.Combine(lower2, "removed"), Files.S_IFCHR, 0, 0);
            string opaque = Dir(lower2, "opaque");
            try
            {
                Files.SetXattr(opaque, "trusted.overlay.opaque", "y"u8);
            }
            catch (UnixException e)
            {
                return No(fs.TypeName,
                    $"the {fs.TypeName} filesystem under {home} does not store trusted.* xattrs ({e.Message}), which overlayfs needs for opaque directories; " +
                    "put the store root on ext4, xfs, btrfs or a root-mounted tmpfs");
            }
            File.WriteAllText(Path.Combine(opaque, "shown"), "lower2");

            // Relative paths from inside the scratch dir, as the driver mounts layers: the home path may hold ',' or ':'.
            string features = FeaturesOff;
            void MountWith(string extra) => DirectoryScope.Run(scratch, () => Mounts.Mount("overlay", "merged", "overlay", 0,
                "lowerdir=lower2:lower1,upperdir=upper,workdir=work" + (extra.Length > 0 ? "," + extra : "")));
            try
            {
                MountWith(features);
            }
            catch (UnixException e) when (e.Errno == 22 /* EINVAL: an option this kernel does not know */)
            {
                features = "";
                MountWith(features);
            }
            mounted = true;

            string? wrong = CheckMergedView(merged, upper);
            if (wrong is not null)
                return No(fs.TypeName, $"a test overlay mount under {home} misbehaved: {wrong}");

            bool nativeDiff = features.Length > 0 || KernelDefaultsKeepDiffsWhole();
            string reason = $"overlayfs on {fs.TypeName}" + (features.Length > 0
                ? $", mounted with {features}"
                : nativeDiff ? "" : ", kernel may use redirect_dir/metacopy: diffs are computed by comparing trees");
            return new OverlaySupport(true, reason, features, nativeDiff, fs.TypeName);
        }
        catch (UnixException e)
        {
            string hint = e.Errno == 19 /* ENODEV */
                ? "the kernel has no overlay filesystem; load it with modprobe overlay"
                : "see dmesg for the kernel's reason";
            return No(fs.TypeName, $"a test overlay mount under {home} failed: {e.Message}; {hint}");
        }
        finally
        {
            if (mounted) Mounts.Unmount(merged, detach: true);
            TreeDelete.Delete(scratch);
        }
    }

    private static string? CheckMergedView(string merged, string upper)
    {
        if (Files.TryLstat(Path.Combine(merged, "removed"), out _)) return "a 0/0 character device whiteout did not hide a lower file";
        if (!File.Exists(Path.Combine(merged, "kept"))) return "a file of the lowest layer is missing";
        if (File.Exists(Path.Combine(merged, "opaque", "hidden"))) return "an opaque directory (trusted.overlay.opaque) did not hide lower content";
        if (!File.Exists(Path.Combine(merged, "opaque", "shown"))) return "a file in an opaque directory is missing";
        File.WriteAllText(Path.Combine(merged, "written"), "upper");
        if (!File.Exists(Path.Combine(upper, "written"))) return "a write did not reach the upper directory";
        File.Delete(Path.Combine(merged, "kept"));
        if (!Files.TryLstat(Path.Combine(upper, "kept"), out var whiteout) ||
            whiteout.Kind != FileKind.CharDevice || whiteout.RdevMajor != 0 || whiteout.RdevMinor != 0)
            return "deleting a lower file did not leave a 0/0 character device in the upper directory";
        return null;
    }

    /// <summary>Without explicit options the module defaults apply: diffs stay whole only if redirect_dir and metacopy are off.</summary>
    private static bool KernelDefaultsKeepDiffsWhole()
    {
        static bool Off(string parameter)
        {
            string path = $"/sys/module/overlay/parameters/{parameter}";
            return !File.Exists(path) || File.ReadAllText(path, Encoding.ASCII).Trim() is "N" or "off";
        }
        return Off("redirect_dir") && Off("metacopy");
    }

    private static string Dir(string parent, string name)
    {
        string path = Path.Combine(parent, name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static OverlaySupport No(string fs, string reason) => new(false, reason, "", false, fs);
}
