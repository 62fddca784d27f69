using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>A filesystem mounted on a fresh temp dir for one test, unmounted and deleted on dispose.</summary>
public sealed class ScratchMount : IDisposable
{
    public ScratchMount(string type, string options)
    {
        Path = Directory.CreateTempSubdirectory($"{type}-test-").FullName;
        Mounts.Mount(type, Path, type, Mounts.MS_NODEV, options);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Mounts.IsMountPoint(Path)) Mounts.Unmount(Path, detach: true);
        Directory.Delete(Path, recursive: true);
    }
}
