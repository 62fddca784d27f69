using Images.Drivers.Vfs;

namespace Images.Drivers.Tests;

public sealed class DriverRegistryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("registry-test-").FullName;

    public void Dispose()
    {
        Leaks.AssertNoneUnder(_root);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void ListsVfsLastAsTheFallback()
    {
        Assert.Equal("vfs", DriverRegistry.All[^1].Name);
        Assert.Equal(DriverRegistry.All.Count, DriverRegistry.All.Select(p => p.Name).Distinct().Count());
        Assert.Same(DriverRegistry.All[^1], DriverRegistry.Find("vfs"));
    }

    [Fact]
    public void AnUnknownNameIsRefusedListingTheKnownOnes()
    {
        var e = Assert.Throws<DriverException>(() => DriverRegistry.Find("zfs"));
        Assert.Contains("zfs", e.Message);
        Assert.Contains("vfs", e.Message);
        Assert.Throws<DriverException>(() => DriverRegistry.Open(_root, "zfs"));
    }

    [Fact]
    public void AnExplicitNameOpensThatDriverInItsHome()
    {
        var (provider, driver) = DriverRegistry.Open(_root, "vfs");
        using (driver)
        {
            Assert.Equal("vfs", provider.Name);
            Assert.Equal("vfs", driver.Name);
            Assert.Equal(Path.Combine(_root, "drivers", "vfs"), ((VfsDriver)driver).Home);
            driver.Create("a", null);
            Assert.True(Directory.Exists(Path.Combine(_root, "drivers", "vfs", "dir", "a")));
            driver.Remove("a");
        }
    }

    [Fact]
    public void WithoutANameTheFirstSupportedDriverIsChosen()
    {
        var expected = DriverRegistry.All.First(p => p.Probe(DriverRegistry.HomeOf(_root, p.Name)).Supported);
        var (provider, driver) = DriverRegistry.Open(_root, null);
        using (driver)
        {
            Assert.Same(expected, provider);
            Assert.Equal(provider.Name, driver.Name);
            driver.Cleanup();
        }
    }

    [Fact]
    public void WithoutANameADriverThatAlreadyHoldsLayersKeepsTheStore()
    {
        using (var vfs = VfsDriver.Open(DriverRegistry.HomeOf(_root, "vfs"))) vfs.Create("existing", null);
        var (provider, driver) = DriverRegistry.Open(_root, null);
        using (driver)
        {
            Assert.Equal("vfs", provider.Name);
            Assert.True(driver.Exists("existing"));
        }
    }
}
