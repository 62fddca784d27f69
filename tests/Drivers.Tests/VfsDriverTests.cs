using Images.Drivers.Vfs;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>The conformance suite for vfs, on a private tmpfs (full copies are cheap there; ext4 creates files slowly).</summary>
public sealed class VfsDriverTests : DriverConformance
{
    protected override IDriverEnvironment CreateEnvironment() => new VfsEnvironment();
}

/// <summary>A vfs driver whose home is on a tmpfs mounted on a fresh temp dir.</summary>
public sealed class VfsEnvironment : IDriverEnvironment
{
    private readonly string _scratch;
    private readonly VfsDriver _driver;

    public VfsEnvironment()
    {
        _scratch = Directory.CreateTempSubdirectory("vfs-test-").FullName;
        try
        {
            Mounts.Mount("tmpfs", _scratch, "tmpfs", Mounts.MS_NODEV, "mode=0755");
            Home = Path.Combine(_scratch, "home");
            _driver = VfsDriver.Open(Home);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IGraphDriver Driver => _driver;

    public string Home { get; } = "";

    /// <summary>The tmpfs holding the home, for tests that plant crash leftovers next to it.</summary>
    public string Scratch => _scratch;

    public void Dispose()
    {
        _driver?.Dispose();
        if (Mounts.IsMountPoint(_scratch)) Mounts.Unmount(_scratch, detach: true);
        Directory.Delete(_scratch, recursive: true);
    }
}
