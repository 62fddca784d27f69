using Images.Inspect.Sources;
using Images.Store.Transfer;
using static Images.Inspect.Tests.TestLayout;

namespace Images.Inspect.Tests;

public sealed class LayerAnalysisTests
{
    private static string Describe(LayerChange c) => $"{c.Kind} {c.Path} {c.Size}";

    private static ImageReport AnalyzeSample(Scratch scratch)
    {
        SampleImage.Build().Write(scratch.Combine("layout"), "v1");
        using var source = ImageSources.Open($"oci:{scratch.Combine("layout")}:v1", () => scratch.Store);
        return ImageAnalyzer.Analyze(source);
    }

    [Fact]
    public void PerLayerChanges_AreTheHandWorkedOnes()
    {
        using var scratch = new Scratch();
        var report = AnalyzeSample(scratch);

        Assert.Equal(3, report.Layers.Count);
        for (int i = 0; i < 3; i++)
            Assert.Equal(SampleImage.Changes[i], report.Layers[i].Changes.Select(Describe).ToArray());
        Assert.Equal([2480L, 160L, 355L], report.Layers.Select(l => l.Size).ToArray());
    }

    [Fact]
    public void Modifications_KeepWhatWasThereBefore()
    {
        using var scratch = new Scratch();
        var report = AnalyzeSample(scratch);

        var config = report.Layers[1].Changes.Single(c => c.Path == "/etc/config");
        Assert.Equal(100, config.Before!.Size);
        var tool = report.Layers[2].Changes.Single(c => c.Path == "/opt/tool");
        Assert.Equal("0644", tool.Before!.ModeText);
        Assert.Equal("0755", tool.Facts.ModeText);
    }

    [Fact]
    public void History_NamesTheInstructionOfEachLayer_SkippingEmptyLayers()
    {
        using var scratch = new Scratch();
        var report = AnalyzeSample(scratch);

        Assert.Equal(
            ["ADD rootfs.tar /", "RUN edit config && rm /tmp/scratch", "RUN chmod +x /opt/tool && cp dup again && reset /lib && rm -r /var/cache"],
            report.Layers.Select(l => l.CreatedBy!).ToArray());
    }

    [Fact]
    public void Efficiency_IsDivesFormula_OnTheHandWorkedFigures()
    {
        using var scratch = new Scratch();
        var e = AnalyzeSample(scratch).Efficiency;

        Assert.Equal(SampleImage.TotalSize, e.TotalSize);
        Assert.Equal(SampleImage.UserSize, e.UserSize);
        Assert.Equal(SampleImage.WastedBytes, e.WastedBytes);
        Assert.Equal(SampleImage.Efficiency, e.Score, 12);
        Assert.Equal(SampleImage.UserWastedPercent, e.UserWastedPercent, 12);
        Assert.Equal(
            ["/data/dup 2 600", "/tmp/scratch 2 500", "/var/cache/y 2 300", "/etc/config 2 220", "/var/cache/x 2 200", "/opt/tool 2 100", "/lib/b 2 20", "/lib/a 2 10"],
            e.Inefficiencies.Select(w => $"{w.Path} {w.Occurrences} {w.CumulativeSize}").ToArray());
    }

    [Fact]
    public void StoreImage_AndDockerArchive_GiveTheSameReportAsTheLayout()
    {
        using var scratch = new Scratch();
        var fromLayout = AnalyzeSample(scratch);
        var loaded = Assert.Single(ImageImporter.Load(scratch.Store, scratch.Combine("layout")));
        string archive = scratch.Combine("docker.tar");
        ImageExporter.Save(scratch.Store, [loaded.Image.Id.ToString()], archive, SaveFormat.Docker);

        ImageReport fromStore, fromArchive;
        using (var source = ImageSources.Open(loaded.Image.Id.ToString(), () => scratch.Store)) fromStore = ImageAnalyzer.Analyze(source);
        using (var source = ImageSources.Open($"docker-archive:{archive}", () => throw new InvalidOperationException("no store needed")))
            fromArchive = ImageAnalyzer.Analyze(source);

        foreach (var other in new[] { fromStore, fromArchive })
        {
            Assert.Equal(Summary(fromLayout), Summary(other));
            Assert.Equal(fromLayout.Efficiency with { Inefficiencies = [] }, other.Efficiency with { Inefficiencies = [] });
            Assert.Equal(fromLayout.Efficiency.Inefficiencies, other.Efficiency.Inefficiencies);
        }
    }

    private static string Summary(ImageReport report) =>
        string.Join('\n', report.Layers.Select(l => $"{l.DiffId} {l.CreatedBy} {l.Size}: {string.Join(", ", l.Changes.Select(Describe))}"));

    [Fact]
    public void ReplacingADirectoryWithAFile_RemovesItsFiles_AndHardLinksAddNoBytes()
    {
        using var scratch = new Scratch();
        new TestLayout()
            .Layer("base", Dir("/d"), File("/d/one", 7), File("/d/two", 9), File("/f", 4))
            .Layer("replace", File("/d", 3), HardLink("/g", "/f"), Dir("/f/"))
            .Write(scratch.Combine("layout"));
        using var source = new OciLayoutSource(scratch.Combine("layout"));

        var report = ImageAnalyzer.Analyze(source);

        Assert.Equal(
            ["Modified /d 3", "Removed /d/one 7", "Removed /d/two 9", "Modified /f 0", "Added /g 0"],
            report.Layers[1].Changes.Select(Describe).ToArray());
        Assert.Equal(3, report.Layers[1].Size);
        // one: 7+0, two: 9+0, f: 4+0 (a directory now), d: 3 once.
        Assert.Equal(20, report.Efficiency.WastedBytes);
    }

    [Fact]
    public void OpaqueDirectory_KeepsWhatItsOwnLayerWrites_WhateverTheOrder()
    {
        using var scratch = new Scratch();
        new TestLayout()
            .Layer("base", Dir("/o"), File("/o/keep", 1), File("/o/old", 2), Dir("/o/sub"), File("/o/sub/deep", 3))
            .Layer("opaque", File("/o/keep", 4), File("/o/sub/new", 5), Opaque("/o"))
            .Write(scratch.Combine("layout"));
        using var source = new OciLayoutSource(scratch.Combine("layout"));

        var report = ImageAnalyzer.Analyze(source);

        Assert.Equal(
            ["Modified /o/keep 4", "Removed /o/old 2", "Removed /o/sub/deep 3", "Added /o/sub/new 5"],
            report.Layers[1].Changes.Select(Describe).ToArray());
    }
}

public sealed class SkopeoArchiveTests
{
    [Fact]
    public void DockerArchiveWrittenBySkopeo_GivesTheHandWorkedFigures()
    {
        using var scratch = new Scratch();
        SampleImage.Build().Write(scratch.Combine("layout"), "v1");
        string archive = scratch.Combine("skopeo.tar");
        var psi = new System.Diagnostics.ProcessStartInfo("skopeo") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "copy", "--quiet", $"oci:{scratch.Combine("layout")}:v1", $"docker-archive:{archive}:test/image:v1" }) psi.ArgumentList.Add(a);
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"skopeo failed: {error}");
        }

        using var source = ImageSources.Open($"docker-archive:{archive}:test/image:v1", () => throw new InvalidOperationException("no store needed"));
        var report = ImageAnalyzer.Analyze(source);

        for (int i = 0; i < 3; i++)
            Assert.Equal(SampleImage.Changes[i], report.Layers[i].Changes.Select(c => $"{c.Kind} {c.Path} {c.Size}").ToArray());
        Assert.Equal(SampleImage.WastedBytes, report.Efficiency.WastedBytes);
        Assert.Equal(SampleImage.Efficiency, report.Efficiency.Score, 12);
    }
}
