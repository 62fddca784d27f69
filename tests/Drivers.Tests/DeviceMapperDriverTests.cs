using System.Globalization;
using System.Text.Json.Nodes;
using Images.Drivers.DeviceMapper;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>
/// The conformance suite and devicemapper's own promises, with the home on the temp dir's ext4 so the driver makes
/// its own xfs reflink pool (this machine has no device-mapper: the reflink file pool is the tested backend).
/// </summary>
public sealed class DeviceMapperDriverTests : DriverConformance
{
    protected override IDriverEnvironment CreateEnvironment() => new DeviceMapperEnvironment();

    private DeviceMapperEnvironment Environment => (DeviceMapperEnvironment)Env;

    private static long Figure(IGraphDriver driver, string key) =>
        long.Parse(driver.Status().Single(kv => kv.Key == key).Value, CultureInfo.InvariantCulture);

    [Fact]
    public void ThePoolIsAnXfsImageOnlyMountedWhileInUse()
    {
        Assert.Equal("ext4", FileSystems.TypeOf(Env.Home));
        Assert.True(File.Exists(Path.Combine(Env.Home, "pool.img")));
        Assert.Empty(Leaks.MountsUnder(Env.Home));
        Build("base", null, root => WriteFile(root, "x", "x"));
        WithMount("base", root =>
        {
            Assert.Equal("rootfs", Path.GetFileName(root));
            Assert.Equal("ext4", FileSystems.TypeOf(root));
            Assert.Equal("xfs", FileSystems.TypeOf(Path.Combine(Env.Home, "pool")));
            Assert.Equal(2, Leaks.MountsUnder(Env.Home).Count); // the pool and the layer
            Assert.Equal(2, Leaks.LoopDevicesUnder(Env.Home).Count);
        });
        Assert.Empty(Leaks.MountsUnder(Env.Home));
        Assert.Empty(Leaks.LoopDevicesUnder(Env.Home));
        Driver.Remove("base");
    }

    [Fact]
    public void PoolMetadataSurvivesReopening()
    {
        Build("base", null, root => WriteFile(root, "etc/os", "base"));
        Build("child", "base", root => WriteFile(root, "etc/app", "child"));
        long transaction = Figure(Driver, "Transaction Id");
        Environment.Reopen();
        Assert.True(Driver.Exists("base"));
        Assert.True(Driver.Exists("child"));
        Assert.Equal("base", Driver.ParentOf("child"));
        Assert.Null(Driver.ParentOf("base"));
        Assert.Equal(transaction, Figure(Driver, "Transaction Id"));
        WithMount("child", root =>
        {
            Assert.Equal("base", File.ReadAllText(Path.Combine(root, "etc/os")));
            Assert.Equal("child", File.ReadAllText(Path.Combine(root, "etc/app")));
        });
        Driver.Remove("child");
        Driver.Remove("base");
        Assert.True(Figure(Driver, "Transaction Id") > transaction);
    }

    [Fact]
    public void ASnapshotSharesItsParentsBlocks()
    {
        Build("base", null, root =>
        {
            using var file = new FileStream(Path.Combine(root, "blob"), FileMode.CreateNew, FileAccess.Write);
            var chunk = new byte[1 << 20];
            Random.Shared.NextBytes(chunk);
            for (int i = 0; i < 48; i++) file.Write(chunk);
        });
        long before = Figure(Driver, "Data Space Used");
        Driver.Create("child", "base");
        long after = Figure(Driver, "Data Space Used");
        Assert.True(after - before < 4L << 20, $"a snapshot of a layer holding 48 MiB took {after - before} bytes of pool space");
        Assert.Equal(0, Driver.DiffSize("child"));
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void AChildOfATenGigabyteDeviceTakesNoSpace()
    {
        using var big = new DeviceMapperEnvironment(new DeviceMapperOptions { PoolSize = 64L << 30 }); // default 10 GiB base
        var driver = big.Driver;
        Assert.Equal(10L << 30, Figure(driver, "Base Device Size"));
        driver.Create("base", null);
        long before = Figure(driver, "Data Space Used");
        driver.Create("child", "base");
        long after = Figure(driver, "Data Space Used");
        Assert.True(after - before < 1L << 20, $"a snapshot of a 10 GiB device took {after - before} bytes of pool space");
        string root = driver.Mount("child");
        try
        {
            Assert.True(FileSystems.Stat(root).TotalBytes > 9L << 30, "the child's filesystem is the base device's 10 GiB");
        }
        finally
        {
            driver.Unmount("child");
        }
        driver.Remove("child");
        driver.Remove("base");
        Leaks.AssertNoneUnder(big.Home);
    }

    [Fact]
    public void StatusShowsPoolUseMetadataAndBaseSize()
    {
        var status = Driver.Status().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Contains("reflink", status["Pool Backend"]);
        Assert.Equal((256L << 20).ToString(CultureInfo.InvariantCulture), status["Base Device Size"]);
        Assert.Equal(new FileInfo(Path.Combine(Env.Home, "metadata.json")).Length, Figure(Driver, "Metadata Space Used"));
        long total = Figure(Driver, "Data Space Total");
        Assert.InRange(total, 3L << 30, 4L << 30); // the 4 GiB pool image less xfs's own overhead
        long used = Figure(Driver, "Data Space Used");
        Assert.Equal(total - used, Figure(Driver, "Data Space Available"));
        Assert.Equal("0", status["Thin Devices"]);

        Build("base", null, root =>
        {
            using var file = new FileStream(Path.Combine(root, "blob"), FileMode.CreateNew, FileAccess.Write);
            var chunk = new byte[1 << 20];
            Random.Shared.NextBytes(chunk);
            for (int i = 0; i < 24; i++) file.Write(chunk);
        });
        Assert.True(Figure(Driver, "Data Space Used") >= used + (24L << 20), "writing 24 MiB shows in the pool's data use");
        Assert.Equal(1, Figure(Driver, "Thin Devices"));
        Driver.Remove("base");
        Assert.Empty(Leaks.MountsUnder(Env.Home)); // Status let go of the pool again
    }

    [Fact]
    public void CleanupUnmountsEverythingAndDetachesEveryLoopDevice()
    {
        Build("base", null, root => WriteFile(root, "x", "x"));
        Driver.Create("child", "base");
        Driver.Mount("base");
        Driver.Mount("child");
        Driver.Mount("child");
        Assert.Equal(3, Leaks.MountsUnder(Env.Home).Count);
        Assert.Equal(3, Leaks.LoopDevicesUnder(Env.Home).Count);
        Driver.Cleanup();
        Assert.Empty(Leaks.MountsUnder(Env.Home));
        Assert.Empty(Leaks.LoopDevicesUnder(Env.Home));
        Assert.Throws<DriverException>(() => Driver.Unmount("child"));
        Driver.Remove("child");
        Driver.Remove("base");
    }

    [Fact]
    public void ASizeLimitGrowsTheDeviceAndCannotShrinkIt()
    {
        Driver.Create("large", null, new CreateOptions { SizeLimit = 512L << 20 });
        WithMount("large", root => Assert.True(FileSystems.Stat(root).TotalBytes > 400L << 20,
            $"the filesystem of a layer limited to 512 MiB is {FileSystems.Stat(root).TotalBytes} bytes"));
        var refused = Assert.Throws<DriverException>(() => Driver.Create("small", "large", new CreateOptions { SizeLimit = 128L << 20 }));
        Assert.Contains("shrink", refused.Message);
        Assert.False(Driver.Exists("small"));
        Driver.Remove("large");
    }

    [Fact]
    public void AWriteBeyondTheDeviceFails()
    {
        Driver.Create("base", null);
        WithMount("base", root =>
        {
            var full = Assert.ThrowsAny<IOException>(() =>
            {
                using var file = new FileStream(Path.Combine(root, "big"), FileMode.CreateNew, FileAccess.Write);
                var chunk = new byte[1 << 20];
                for (int i = 0; i < 300; i++) file.Write(chunk);
                file.Flush(flushToDisk: true);
            });
            Assert.Contains("space", full.Message);
        });
        Driver.Remove("base");
    }

    [Fact]
    public void AnInterruptedCreateIsUndoneOnReopen()
    {
        Build("base", null, root => WriteFile(root, "x", "x"));
        Driver.Create("child", "base");
        // Rewind the records to a crash after the pool made child's device but before its record was committed:
        // the device is listed as one that must not exist, and the record is not there.
        string metadata = Path.Combine(Env.Home, "metadata.json");
        var state = JsonNode.Parse(File.ReadAllText(metadata))!.AsObject();
        var devices = state["devices"]!.AsObject();
        int childDevice = devices["child"]!["deviceId"]!.GetValue<int>();
        int baseDevice = devices["base"]!["deviceId"]!.GetValue<int>();
        devices.Remove("child");
        state["pendingDeletes"]!.AsArray().Add(childDevice);
        File.WriteAllText(metadata, state.ToJsonString());

        Environment.Reopen();
        Assert.False(Driver.Exists("child"));
        Assert.Empty(JsonNode.Parse(File.ReadAllText(metadata))!["pendingDeletes"]!.AsArray());
        WithMount("base", root =>
        {
            string devicesDirectory = Path.Combine(Env.Home, "pool", "devices");
            Assert.False(File.Exists(Path.Combine(devicesDirectory, $"{childDevice}.img")), "the half-made device was deleted");
            Assert.True(File.Exists(Path.Combine(devicesDirectory, $"{baseDevice}.img")));
            Assert.Equal("x", File.ReadAllText(Path.Combine(root, "x")));
        });
        Driver.Create("child", "base"); // the id is free again
        Driver.Remove("child");
        Driver.Remove("base");
    }
}

/// <summary>A devicemapper driver whose home is a fresh temp dir on the (ext4) disk, with a small base device.</summary>
public sealed class DeviceMapperEnvironment : IDriverEnvironment
{
    private readonly string _scratch;
    private readonly DeviceMapperOptions _options;
    private DeviceMapperDriver _driver;

    public DeviceMapperEnvironment() : this(new DeviceMapperOptions { BaseSize = 256L << 20, PoolSize = 4L << 30 }) { }

    public DeviceMapperEnvironment(DeviceMapperOptions options)
    {
        _options = options;
        _scratch = Directory.CreateTempSubdirectory("devicemapper-test-").FullName;
        Home = Path.Combine(_scratch, "home");
        try
        {
            _driver = DeviceMapperDriver.Open(Home, options);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IGraphDriver Driver => _driver;

    public string Home { get; }

    /// <summary>Closes the driver and opens a new one on the same home, as a restarted process would.</summary>
    public void Reopen()
    {
        _driver.Dispose();
        _driver = DeviceMapperDriver.Open(Home, _options);
    }

    /// <summary>Closes the driver, then unmounts and detaches whatever is still there (even after a failure) and deletes the home.</summary>
    public void Dispose()
    {
        try
        {
            _driver?.Dispose();
        }
        finally
        {
            LoopMountedImage.DeleteScratch(_scratch);
        }
    }
}
