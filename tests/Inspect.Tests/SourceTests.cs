using System.Formats.Tar;
using Images.Inspect.Sources;
using static Images.Inspect.Tests.TestLayout;

namespace Images.Inspect.Tests;

public sealed class SourceTests
{
    private static Func<Store.LocalStore> NoStore => () => throw new InvalidOperationException("no store needed");

    [Fact]
    public void MissingLayout_SaysItIsNotALayout()
    {
        using var scratch = new Scratch();
        var e = Assert.Throws<InspectException>(() => ImageSources.Open($"oci:{scratch.Root}", NoStore));
        Assert.Contains("no index.json", e.Message);
    }

    [Fact]
    public void UnknownTag_ListsTheTagsThereAre()
    {
        using var scratch = new Scratch();
        SampleImage.Build().Write(scratch.Combine("layout"), "v1");
        var e = Assert.Throws<InspectException>(() => ImageSources.Open($"oci:{scratch.Combine("layout")}:v2", NoStore));
        Assert.Contains("no image tagged \"v2\"", e.Message);
        Assert.Contains("v1", e.Message);
    }

    [Fact]
    public void SeveralImages_WithoutATag_AskForOne()
    {
        using var scratch = new Scratch();
        SampleImage.Build().Write(scratch.Combine("layout"), "v1");
        SampleImage.Build().Write(scratch.Combine("layout"), "v2");
        var e = Assert.Throws<InspectException>(() => ImageSources.Open($"oci:{scratch.Combine("layout")}", NoStore));
        Assert.Contains("holds 2 images", e.Message);
    }

    [Fact]
    public void EntryLeavingTheRoot_IsRefused_NamingIt()
    {
        using var scratch = new Scratch();
        new TestLayout().Layer("evil", new PaxTarEntry(TarEntryType.RegularFile, "../escape") { DataStream = new MemoryStream([1]) })
            .Write(scratch.Combine("layout"));
        using var source = new OciLayoutSource(scratch.Combine("layout"));

        var e = Assert.Throws<InspectException>(() => ImageAnalyzer.Analyze(source));
        Assert.Contains("../escape", e.Message);
    }

    [Fact]
    public void TruncatedLayer_IsReportedAsCorrupt()
    {
        using var scratch = new Scratch();
        string layout = scratch.Combine("layout");
        new TestLayout().Layer("big", File("/f", 100_000)).Write(layout);
        // Cut the one layer blob (gzip) in half.
        var blob = Directory.EnumerateFiles(Path.Combine(layout, "blobs", "sha256")).Single(IsGzip);
        using (var file = new FileStream(blob, FileMode.Open)) file.SetLength(file.Length / 2);
        using var reopened = new OciLayoutSource(layout);

        var e = Assert.Throws<InspectException>(() => ImageAnalyzer.Analyze(reopened));
        Assert.Contains("truncated or corrupt", e.Message);
    }

    private static bool IsGzip(string path)
    {
        using var f = System.IO.File.OpenRead(path);
        return f.ReadByte() == 0x1f && f.ReadByte() == 0x8b;
    }

    [Fact]
    public void CompressedDockerArchive_IsRefusedWithTheFix()
    {
        using var scratch = new Scratch();
        string path = scratch.Combine("archive.tar.gz");
        using (var file = System.IO.File.Create(path))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
            gzip.Write(new byte[1024]);

        var e = Assert.Throws<InspectException>(() => ImageSources.Open($"docker-archive:{path}", NoStore));
        Assert.Contains("decompress it first", e.Message);
    }
}
