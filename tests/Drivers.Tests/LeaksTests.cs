using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>The leak checks must see what they look for, or the driver suites prove nothing.</summary>
public sealed class LeaksTests
{
    [Fact]
    public void AMountBelowHomeIsReported()
    {
        string home = Directory.CreateTempSubdirectory("leaks-test-").FullName;
        string inner = Path.Combine(home, "a", "mnt");
        Directory.CreateDirectory(inner);
        try
        {
            Mounts.Mount("tmpfs", inner, "tmpfs", 0, null);
            try
            {
                Assert.Equal([inner], Leaks.MountsUnder(home));
                Assert.Contains("mounted: " + inner, Leaks.Under(home));
                Assert.Throws<Xunit.Sdk.FailException>(() => Leaks.AssertNoneUnder(home));
                Assert.Empty(Leaks.MountsUnder(home + "-other"));
            }
            finally
            {
                Mounts.Unmount(inner);
            }
            Assert.Empty(Leaks.Under(home));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
