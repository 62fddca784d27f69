using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>
/// A sparse image file in a fresh temp dir, formatted by a mkfs and mounted through a loop device (attached with
/// autoclear, so unmounting frees it). Dispose always unmounts, detaches and deletes, whatever happened before.
/// </summary>
public sealed class LoopMountedImage : IDisposable
{
    private LoopMountedImage(string scratch)
    {
        Scratch = scratch;
        ImagePath = Path.Combine(scratch, "fs.img");
        MountPoint = Path.Combine(scratch, "mnt");
    }

    public string Scratch { get; }

    public string ImagePath { get; }

    public string MountPoint { get; }

    public static LoopMountedImage Create(string prefix, string fsType, long size, string mkfs, params string[] mkfsArguments)
    {
        var image = new LoopMountedImage(Directory.CreateTempSubdirectory(prefix).FullName);
        try
        {
            using (var file = new FileStream(image.ImagePath, FileMode.CreateNew, FileAccess.Write)) file.SetLength(size);
            ExternalCommand.Run($"make a {fsType} filesystem for a test", mkfs, [.. mkfsArguments, image.ImagePath]);
            Directory.CreateDirectory(image.MountPoint);
            using var loop = LoopDevice.Attach(image.ImagePath);
            Mounts.Mount(loop.Path, image.MountPoint, fsType, 0, null);
        }
        catch
        {
            image.Dispose();
            throw;
        }
        return image;
    }

    /// <summary>Unmounts, detaches and deletes everything of the scratch dir, whatever happened before.</summary>
    public void Dispose() => DeleteScratch(Scratch);

    /// <summary>
    /// Unmounts everything at or below <paramref name="scratch"/> (deepest first), detaches loop devices backed by files
    /// there, waits for them to go, and deletes the directory.
    /// </summary>
    public static void DeleteScratch(string scratch)
    {
        foreach (string mount in Leaks.MountsUnder(scratch).OrderByDescending(m => m.Length))
            Mounts.Unmount(mount, detach: true);
        foreach (var loop in LoopDevice.ListBackedBy(scratch)) LoopDevice.Detach(loop.Device);
        var deadline = Environment.TickCount64 + 5000;
        while (LoopDevice.ListBackedBy(scratch).Count > 0 && Environment.TickCount64 < deadline) Thread.Sleep(5);
        Directory.Delete(scratch, recursive: true);
    }
}
