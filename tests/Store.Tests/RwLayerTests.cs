using Images.Platform;

namespace Images.Store.Tests;

public sealed class RwLayerTests
{
    [Theory]
    [InlineData("vfs")]
    [InlineData("overlay")]
    public void ARwLayerMountedThroughOneStoreInstance_IsReleasedAndRemovedThroughAnother(string driver)
    {
        using var t = new TestStore(driver);
        var layer = t.AddLayer(TestStore.Tar(("etc/app", "v1")));
        t.Store.Layers.CreateRw("container", layer.ChainId);
        string mounted;
        // The monitor of a container mounts in one instance and, when the process ends, releases in a new one.
        using (var first = t.OpenSecond())
            mounted = first.Layers.MountRw("container");
        Assert.Equal("v1", File.ReadAllText(Path.Combine(mounted, "etc", "app")));

        using (var second = t.OpenSecond())
        {
            second.Layers.UnmountRw("container");
            Assert.False(Mounts.IsMountPoint(mounted), $"{mounted} is still mounted after its release");
            second.Layers.RemoveRw("container");
        }
        Assert.Null(t.Store.Layers.GetRw("container"));
    }
}
