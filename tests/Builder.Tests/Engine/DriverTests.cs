using Images.Builder.Engine;
using Images.Drivers.Tests;

namespace Images.Builder.Tests.Engine;

/// <summary>
/// Every driver builds the same recipe (COPY, ADD, RUN writing, changing and deleting files, a second stage) to
/// the same layer diffIDs: the layers are the changes, whatever the driver keeps on disk.
/// </summary>
public sealed class DriverTests
{
    private const string Recipe = BuildBench.BusyboxBase + """
        COPY tree /tree/
        RUN mkdir -p /var/data && echo one > /var/data/a && echo two > /var/data/b && ln -s a /var/data/link
        RUN rm /var/data/b && echo changed > /var/data/a && rm -r /tree/sub && chmod 0700 /var/data
        FROM scratch
        COPY --from=0 /var/data/ /data/
        """;

    private static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);

    private static IReadOnlyList<Images.Core.Digests.Digest>[] BuildOn(string driver)
    {
        // btrfs needs its store on btrfs: a loop-mounted image, always unmounted and detached.
        using var btrfs = driver == "btrfs" ? LoopMountedImage.Create("builder-btrfs-", "btrfs", 512L << 20, "mkfs.btrfs", "-q") : null;
        using var b = new BuildBench(driver, btrfs is null ? null : Path.Combine(btrfs.MountPoint, "store"));
        b.AddBusybox();
        b.Write("tree/file", "file\n");
        b.Write("tree/sub/inner", "inner\n", mode: 0x180);
        var options = new BuildOptions { ContextDirectory = b.Context, RecipeText = Recipe, SourceDateEpoch = Epoch };
        var final = b.Build(Recipe, options);
        var first = b.Build(Recipe, options with { Target = "0" });
        Assert.Equal("changed\n", b.ReadFile(final, "data/a"));
        return [b.Config(first).RootFs.DiffIds, b.Config(final).RootFs.DiffIds];
    }

    [Fact]
    public void EveryDriverBuildsTheSameDiffIds()
    {
        var vfs = BuildOn("vfs");
        Assert.Equal(5, vfs[0].Count);
        foreach (string driver in new[] { "overlay", "aufs", "btrfs", "devicemapper" })
        {
            var other = BuildOn(driver);
            Assert.True(vfs[0].SequenceEqual(other[0]), $"{driver}: first stage diffIDs differ from vfs's");
            Assert.True(vfs[1].SequenceEqual(other[1]), $"{driver}: final stage diffIDs differ from vfs's");
        }
    }
}
