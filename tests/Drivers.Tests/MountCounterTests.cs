using Images.Drivers.Common;

namespace Images.Drivers.Tests;

public sealed class MountCounterTests
{
    [Fact]
    public void MountsOnFirstAcquireAndUnmountsOnLastRelease()
    {
        var counter = new MountCounter();
        int mounts = 0, unmounts = 0;
        Assert.Equal("/m", counter.Acquire("a", () => { mounts++; return "/m"; }));
        Assert.Equal("/m", counter.Acquire("a", () => { mounts++; return "/other"; }));
        Assert.Equal(1, mounts);
        Assert.Equal(2, counter.CountOf("a"));
        counter.Release("a", _ => unmounts++);
        Assert.Equal(0, unmounts);
        counter.Release("a", path => { Assert.Equal("/m", path); unmounts++; });
        Assert.Equal(1, unmounts);
        Assert.Equal(0, counter.CountOf("a"));
        Assert.Throws<DriverException>(() => counter.Release("a", _ => unmounts++));
        Assert.Equal(1, unmounts);
    }

    [Fact]
    public void AFailedMountCountsNothingAndAFailedUnmountKeepsTheCount()
    {
        var counter = new MountCounter();
        Assert.Throws<IOException>(() => counter.Acquire("a", () => throw new IOException("mount failed")));
        Assert.Equal(0, counter.CountOf("a"));
        counter.Acquire("a", () => "/m");
        Assert.Throws<IOException>(() => counter.Release("a", _ => throw new IOException("busy")));
        Assert.Equal(1, counter.CountOf("a"));
        Assert.Throws<DriverException>(() => counter.WhileUnmounted("a", () => { }));
        counter.Release("a", _ => { });
        bool ran = false;
        counter.WhileUnmounted("a", () => ran = true);
        Assert.True(ran);
    }

    [Fact]
    public void ReleaseAllUnmountsEveryMountedIdOnce()
    {
        var counter = new MountCounter();
        counter.Acquire("a", () => "/a");
        counter.Acquire("a", () => "/a");
        counter.Acquire("b", () => "/b");
        counter.Acquire("c", () => "/c");
        counter.Release("c", _ => { });
        var unmounted = new List<string>();
        Assert.Empty(counter.ReleaseAll((id, path) => unmounted.Add($"{id}:{path}")));
        Assert.Equal(["a:/a", "b:/b"], unmounted.Order());
        Assert.Empty(counter.Mounted());
    }

    [Fact]
    public void ConcurrentAcquiresOfOneIdMountOnce()
    {
        var counter = new MountCounter();
        int mounts = 0, unmounts = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            counter.Acquire("x", () => { Interlocked.Increment(ref mounts); Thread.Sleep(1); return "/x"; });
            counter.Release("x", _ => Interlocked.Increment(ref unmounts));
        });
        Assert.Equal(mounts, unmounts);
        Assert.Equal(0, counter.CountOf("x"));
    }
}
