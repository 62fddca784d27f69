using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>A fresh temp directory for one test; disposing unmounts anything a failed test left mounted in it, then deletes it.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory(string prefix = "images-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        foreach (string mount in Leaks.MountsUnder(Path).Reverse()) Mounts.Unmount(mount, detach: true);
        Directory.Delete(Path, recursive: true);
    }
}
