using Images.Core.Layers;
using Images.Platform;

namespace Images.Archive.Tests;

public sealed class ChangesTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);

    private (string Lower, string Upper) Pair()
    {
        string lower = _scratch.Dir("lower");
        Directory.CreateDirectory(Path.Combine(lower, "etc/old"));
        File.WriteAllText(Path.Combine(lower, "etc/old/f"), "f");
        File.WriteAllText(Path.Combine(lower, "etc/passwd"), "root");
        File.WriteAllText(Path.Combine(lower, "etc/same"), "same");
        File.WriteAllText(Path.Combine(lower, "etc/touched"), "t");
        File.WriteAllText(Path.Combine(lower, "etc/chmod"), "c");
        File.CreateSymbolicLink(Path.Combine(lower, "link"), "a");
        foreach (var p in Scratch.Walk(lower).Append(lower)) Files.SetTimesNoFollow(p, T0);
        string upper = _scratch.Dir("upper");
        Scratch.Run("cp", "-a", lower + "/.", upper);
        return (lower, upper);
    }

    [Fact]
    public void ComputeReportsAddedModifiedDeletedLikeDockerDiff()
    {
        var (lower, upper) = Pair();
        Directory.Delete(Path.Combine(upper, "etc/old"), true);
        File.WriteAllText(Path.Combine(upper, "etc/passwd"), "root and more");
        Directory.CreateDirectory(Path.Combine(upper, "srv/new"));
        File.WriteAllText(Path.Combine(upper, "srv/new/file"), "n");
        Files.SetTimesNoFollow(Path.Combine(upper, "etc/touched"), T0.AddSeconds(5));
        Files.Chmod(Path.Combine(upper, "etc/chmod"), 0x1c0);
        File.Delete(Path.Combine(upper, "link"));
        File.CreateSymbolicLink(Path.Combine(upper, "link"), "b");
        Files.SetTimesNoFollow(Path.Combine(upper, "link"), T0);
        Files.SetTimesNoFollow(Path.Combine(upper, "etc/passwd"), T0); // same mtime, different size

        var changes = Changes.Compute(lower, upper).Select(c => c.ToString()).ToArray();

        // /etc is C because deleting old changed its mtime; /etc/same is untouched.
        Assert.Equal(["C /etc", "C /etc/chmod", "D /etc/old", "C /etc/passwd", "C /etc/touched", "C /link", "A /srv", "A /srv/new", "A /srv/new/file"], changes);
    }

    [Fact]
    public void ComputeAgainstNothingAddsEverything()
    {
        var (lower, _) = Pair();
        Assert.All(Changes.Compute(null, lower), c => Assert.Equal(ChangeKind.Added, c.Kind));
        Assert.Equal(Scratch.Walk(lower).Count(), Changes.Compute(null, lower).Count);
    }

    [Fact]
    public void IdenticalCopiesHaveNoChanges()
    {
        var (lower, upper) = Pair();
        Assert.Empty(Changes.Compute(lower, upper));
    }

    [Fact]
    public void WholeSecondMtimeMatchesNanosecondMtime()
    {
        var (lower, upper) = Pair();
        Files.SetTimesNoFollow(Path.Combine(lower, "etc/same"), T0.AddTicks(5000));
        Assert.Empty(Changes.Compute(lower, upper));
        Files.SetTimesNoFollow(Path.Combine(upper, "etc/same"), T0.AddTicks(7000));
        Assert.Equal(["C /etc/same"], Changes.Compute(lower, upper).Select(c => c.ToString()));
    }

    [Fact]
    public void XattrChangeIsAModification()
    {
        var (lower, upper) = Pair();
        Files.SetXattr(Path.Combine(upper, "etc/same"), "user.x", "1"u8);
        Assert.Equal(["C /etc/same"], Changes.Compute(lower, upper).Select(c => c.ToString()));
    }

    [Fact]
    public void TypeChangeIsModifiedAndNewChildrenAreAdded()
    {
        var (lower, upper) = Pair();
        File.Delete(Path.Combine(upper, "etc/same"));
        Directory.CreateDirectory(Path.Combine(upper, "etc/same"));
        File.WriteAllText(Path.Combine(upper, "etc/same/inner"), "i");
        Files.SetTimesNoFollow(Path.Combine(upper, "etc"), T0);
        Assert.Equal(["C /etc/same", "A /etc/same/inner"], Changes.Compute(lower, upper).Select(c => c.ToString()));
    }

    [Fact]
    public void WriteChangesGivesALayerThatTurnsLowerIntoUpper()
    {
        var (lower, upper) = Pair();
        Directory.Delete(Path.Combine(upper, "etc/old"), true);
        File.WriteAllText(Path.Combine(upper, "etc/passwd"), "changed");
        Directory.CreateDirectory(Path.Combine(upper, "srv"));
        File.WriteAllText(Path.Combine(upper, "srv/f"), "n");
        Files.HardLink(Path.Combine(upper, "srv/f"), Path.Combine(upper, "srv/g"));

        var tar = new MemoryStream();
        LayerWriter.WriteChanges(tar, upper, Changes.Compute(lower, upper));
        tar.Position = 0;
        LayerApplier.Apply(tar, lower);
        Assert.Equal(TreeSnapshot.Of(upper), TreeSnapshot.Of(lower));
    }

    [Fact]
    public void WriteChangesWritesOneWhiteoutForADeletedDirectory()
    {
        var (_, upper) = Pair();
        var tar = new MemoryStream();
        LayerWriter.WriteChanges(tar, upper, [new Change("/etc/old", ChangeKind.Deleted), new Change("/etc/old/f", ChangeKind.Deleted)]);
        tar.Position = 0;
        using var reader = new System.Formats.Tar.TarReader(tar);
        Assert.Equal("etc/.wh.old", reader.GetNextEntry()!.Name);
        Assert.Null(reader.GetNextEntry());
    }

    [Theory]
    [InlineData(WhiteoutFormat.Overlay)]
    [InlineData(WhiteoutFormat.Aufs)]
    public void FromDiffDirectoryReadsNativeWhiteouts(WhiteoutFormat format)
    {
        var (lower, _) = Pair();
        string diff = _scratch.Dir("diff");
        var oci = new Tars().Dir("etc/").File("etc/.wh.passwd", "").Dir("etc/old/").File("etc/old/.wh..wh..opq", "").File("etc/old/g", "g").File("etc/brand-new", "b");
        LayerApplier.Apply(oci.Stream(), diff, new ApplyOptions { Whiteouts = format });
        var changes = Changes.FromDiffDirectory(diff, format, lower).Select(c => c.ToString()).ToArray();
        Assert.Equal(["C /etc", "A /etc/brand-new", "C /etc/old", "D /etc/old/f", "A /etc/old/g", "D /etc/passwd"], changes);
    }
}
