using Images.Drivers.Tests;
using Images.Transfer.Tests.Support;

namespace Images.Cli.Tests;

/// <summary>
/// The drivers issue's acceptance through the command line: `images --driver X load` of the umoci-made fixture,
/// then `images mount` (one process) shows exactly the tree `umoci unpack` makes, the mount outlives that process,
/// and `images umount` (another process) leaves nothing mounted, attached or running.
/// </summary>
[Collection(UmociCollection.Name)]
public sealed class DriverMountTests(UmociFixture fixture)
{
    [Theory]
    [InlineData("vfs")]
    [InlineData("overlay")]
    [InlineData("aufs")]
    [InlineData("devicemapper")]
    [InlineData("btrfs")]
    public void LoadAndMount_GiveUmocisTree_AndUmountLeavesNothing(string driver)
    {
        using var scratch = new ScratchDirectory($"cli-{driver}-");
        // btrfs needs its root on btrfs: a loop-mounted image, always unmounted and detached.
        using var btrfs = driver == "btrfs" ? LoopMountedImage.Create("cli-btrfs", "btrfs", 512L << 20, "mkfs.btrfs", "-q") : null;
        string root = Path.Combine(btrfs?.MountPoint ?? scratch.Path, "root");
        var cli = new CliRunner(root, driver);
        try
        {
            string loaded = cli.Ok("load", "-i", fixture.Layout);
            Assert.Equal($"Loaded image ID: {fixture.ImageId}\n", loaded);
            Assert.Contains($"Driver: {driver}", cli.Ok("driver", "status"));

            string mounted = cli.Ok("mount", fixture.ImageId.ToString()).Trim();
            Assert.StartsWith(root, mounted);
            TreeSnapshot.AssertEqual(TreeSnapshot.Of(fixture.Rootfs), TreeSnapshot.Of(mounted));

            cli.Ok("umount", fixture.ImageId.ToString());
            Assert.Empty(Leaks.Under(root));
            Assert.Contains("store is consistent", cli.Ok("check"));
        }
        finally
        {
            cli.Run("umount", fixture.ImageId.ToString());
        }
    }
}
