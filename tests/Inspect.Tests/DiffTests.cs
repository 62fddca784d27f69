using System.Formats.Tar;
using System.Text.Json;
using Images.Archive;
using Images.Drivers.Tests;
using Images.Inspect.Sources;
using Images.Store.Transfer;
using static Images.Inspect.Tests.TestLayout;

namespace Images.Inspect.Tests;

public sealed class DiffTests
{
    /// <summary>The sample's base layer, then a layer that chowns, links, rewrites in place, chmods a directory, deletes and adds.</summary>
    private static TestLayout Other()
    {
        var xattr = new PaxTarEntry(TarEntryType.RegularFile, "etc/labelled",
            new Dictionary<string, string> { ["SCHILY.xattr.user.label"] = "blue" })
        {
            Mode = (UnixFileMode)0x1a4,
            DataStream = new MemoryStream("same"u8.ToArray()),
        };
        return new TestLayout()
            .Layer(SampleImage.BaseCommand, SampleImage.BaseEntries())
            .Layer("RUN other things",
                File("/etc/config", 100, uid: 1000, gid: 1000), Symlink("/link", "/etc/config"),
                File("/data/big", 1000, (byte)'B'), HardLink("/data/hl", "/data/big"),
                Dir("/opt", 0x1c0), Whiteout("/lib/b"), Dir("/newdir"), File("/newdir/inner", 3), xattr);
    }

    private static Dictionary<string, string> Lines(TreeSnapshot snapshot) =>
        snapshot.Lines.ToDictionary(l => l[..l.IndexOf(' ')], l => l[(l.IndexOf(' ') + 1)..], StringComparer.Ordinal);

    private static TreeSnapshot Exported(Scratch scratch, string image, string name)
    {
        string tar = scratch.Combine(name + ".tar");
        using (var output = System.IO.File.Create(tar)) ImageExporter.ExportRootfs(scratch.Store, image, output);
        string root = scratch.Combine(name);
        Directory.CreateDirectory(root);
        using (var input = System.IO.File.OpenRead(tar)) LayerApplier.Apply(input, root);
        return TreeSnapshot.Of(root);
    }

    [Fact]
    public void DiffOfTwoStoreImages_AgreesWithComparingTheirExportedTrees()
    {
        using var scratch = new Scratch();
        string layout = scratch.Combine("layout");
        SampleImage.Build().Write(layout, "a");
        Other().Write(layout, "b");
        var loaded = ImageImporter.Load(scratch.Store, layout);
        Assert.Equal(2, loaded.Count);
        string a = loaded.Single(l => l.Names.Any(n => n.Tag == "a")).Image.Id.ToString();
        string b = loaded.Single(l => l.Names.Any(n => n.Tag == "b")).Image.Id.ToString();

        var before = Lines(Exported(scratch, a, "rootfs-a"));
        var after = Lines(Exported(scratch, b, "rootfs-b"));
        var expected = new List<string>();
        foreach (var (path, line) in before)
        {
            if (!after.TryGetValue(path, out var other)) expected.Add("D " + path);
            else if (other != line) expected.Add("C " + path);
        }
        expected.AddRange(after.Keys.Where(p => !before.ContainsKey(p)).Select(p => "A " + p));
        expected.Sort((x, y) => string.CompareOrdinal(x[2..], y[2..]));

        IReadOnlyList<DiffEntry> diff;
        using (var sa = ImageSources.Open(a, () => scratch.Store))
        using (var sb = ImageSources.Open(b, () => scratch.Store))
            diff = ImageDiff.Compare(sa, sb);

        Assert.Equal(expected, diff.Select(d => $"{d.Letter} {d.Path}").ToList());
        // The comparison is not vacuous: every kind of change of the second layer shows.
        Assert.Contains("C /etc/config", expected);   // owner
        Assert.Contains("C /data/big", expected);     // content, same size
        Assert.Contains("C /opt", expected);          // directory mode
        Assert.Contains("A /data/hl", expected);      // hard link
        Assert.Contains("A /etc/labelled", expected); // xattr
        Assert.Contains("D /lib/c", expected);        // only the sample adds it
        Assert.Contains("A /tmp/scratch", expected);  // the sample removed it, the other keeps it
    }

    [Fact]
    public void DiffFromLayouts_EqualsDiffFromTheStore_AndNamesWhatChanged()
    {
        using var scratch = new Scratch();
        string layout = scratch.Combine("layout");
        SampleImage.Build().Write(layout, "a");
        Other().Write(layout, "b");

        IReadOnlyList<DiffEntry> diff;
        using (var sa = ImageSources.Open($"oci:{layout}:a", () => throw new InvalidOperationException("no store needed")))
        using (var sb = ImageSources.Open($"oci:{layout}:b", () => throw new InvalidOperationException("no store needed")))
            diff = ImageDiff.Compare(sa, sb);

        var config = diff.Single(d => d.Path == "/etc/config");
        Assert.Equal(DiffKind.Changed, config.Kind);
        Assert.Equal((0, 1000), (config.Before!.Uid, config.After!.Uid));
        var big = diff.Single(d => d.Path == "/data/big");
        Assert.Equal(big.Before!.Size, big.After!.Size);
        Assert.NotEqual(big.Before.ContentDigest, big.After.ContentDigest);
        Assert.Equal(1000, diff.Single(d => d.Path == "/data/hl").After!.Size);
        Assert.DoesNotContain(diff, d => d.Path == "/data/dup"); // written again with the same bytes: no change

        using var json = new MemoryStream();
        DiffView.WriteJson(json, diff);
        using var document = JsonDocument.Parse(json.ToArray());
        var opt = document.RootElement.EnumerateArray().Single(e => e.GetProperty("path").GetString() == "/opt");
        Assert.Equal("changed", opt.GetProperty("kind").GetString());
        Assert.Equal("0755", opt.GetProperty("before").GetProperty("mode").GetString());
        Assert.Equal("0700", opt.GetProperty("after").GetProperty("mode").GetString());
        Assert.Equal(["mode"], opt.GetProperty("differences").EnumerateArray().Select(d => d.GetString()!).ToArray());
    }

    [Fact]
    public void SameImage_HasNoDifferences()
    {
        using var scratch = new Scratch();
        string layout = scratch.Combine("layout");
        SampleImage.Build().Write(layout, "a");

        using var sa = new OciLayoutSource(layout, "a");
        using var sb = new OciLayoutSource(layout, "a");

        Assert.Empty(ImageDiff.Compare(sa, sb));
    }
}
