using Images.Builder.Engine;

namespace Images.Builder.Tests.Engine;

/// <summary>The build cache: hits, busting exactly what changed, --no-cache, restarts and pruning.</summary>
public sealed class CacheTests : IDisposable
{
    private const string Recipe = BuildBench.BusyboxBase + """
        COPY first.txt /first.txt
        RUN cat /first.txt > /derived.txt
        COPY second.txt /second.txt
        RUN cat /second.txt >> /derived.txt
        LABEL done=yes
        """;

    private readonly BuildBench _b = new();

    public CacheTests()
    {
        _b.AddBusybox();
        _b.Write("first.txt", "first\n");
        _b.Write("second.txt", "second\n");
        _b.Write("unrelated.txt", "unrelated\n");
    }

    public void Dispose() => _b.Dispose();

    private int Hits => RunTests.CountOf(_b.Log.ToString(), " ---> Using cache");

    private static int StepOfFirstMiss(string log)
    {
        var lines = log.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("Step ", StringComparison.Ordinal)) continue;
            bool fs = lines[i].Contains(" : COPY ") || lines[i].Contains(" : RUN ");
            if (fs && !lines[i + 1].Contains("Using cache")) return int.Parse(lines[i][5..lines[i].IndexOf('/')]);
        }
        return 0;
    }

    [Fact]
    public void ARebuildHitsEveryStep_AndGivesTheSameImage_EvenAfterARestart()
    {
        var first = _b.Build(Recipe);
        Assert.Equal(0, Hits);
        Assert.Equal(6, first.ExecutedSteps);
        _b.Reopen();
        var second = _b.Build(Recipe);
        Assert.Equal(6, Hits);
        Assert.Equal((6, 0), (second.CachedSteps, second.ExecutedSteps));
        Assert.Equal(_b.Config(first).RootFs.DiffIds, _b.Config(second).RootFs.DiffIds);

        // An unrelated context file does not matter; neither does an mtime-only change of a source.
        _b.Write("unrelated.txt", "changed\n");
        File.SetLastWriteTimeUtc(Path.Combine(_b.Context, "first.txt"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        _b.Build(Recipe);
        Assert.Equal(6, Hits);
    }

    [Fact]
    public void AContentChangeBustsExactlyTheStepsFromThatCopyOn()
    {
        _b.Build(Recipe);
        _b.Write("second.txt", "second, changed\n");
        var result = _b.Build(Recipe);
        Assert.Equal(4, Hits); // busybox COPY+RUN, first COPY, first RUN
        Assert.Equal(6, StepOfFirstMiss(_b.Log.ToString())); // COPY second.txt
        Assert.Equal("first\nsecond, changed\n", _b.ReadFile(result, "derived.txt"));
    }

    [Fact]
    public void AModeChangeBusts()
    {
        _b.Build(Recipe);
        File.SetUnixFileMode(Path.Combine(_b.Context, "first.txt"), (UnixFileMode)0x1ed);
        _b.Build(Recipe);
        Assert.Equal(2, Hits);
        Assert.Equal(4, StepOfFirstMiss(_b.Log.ToString()));
    }

    [Fact]
    public void ABuildArgTheStepUsesBusts_OneItDoesNotUseDoesNot()
    {
        const string recipe = BuildBench.BusyboxBase + "ARG USED=1\nARG LATER=1\nRUN echo $USED > /used\n";
        _b.Build(recipe);
        _b.Build(recipe, Options(new() { ["USED"] = "1" }));
        Assert.Equal(3, Hits);
        var changed = _b.Build(recipe, Options(new() { ["USED"] = "2" }));
        Assert.Equal(2, Hits);
        Assert.Equal("2\n", _b.ReadFile(changed, "used"));
    }

    [Fact]
    public void NoCacheIgnoresTheCache_AndPruneFreesItsLayers()
    {
        var first = _b.Build(Recipe);
        var again = _b.Build(Recipe, Options() with { NoCache = true });
        Assert.Equal(0, Hits);
        Assert.Equal(6, again.ExecutedSteps);
        // A COPY into an existing directory makes the same layer again (RUN layers and new directories carry the
        // build time unless SOURCE_DATE_EPOCH clamps it: see ReproducibilityTests).
        Assert.Equal(_b.Config(first).RootFs.DiffIds[2], _b.Config(again).RootFs.DiffIds[2]);

        Assert.NotEmpty(_b.Store.BuildCache.List());
        foreach (var image in _b.Store.Images.List()) _b.Store.Images.Remove(image.Id.ToString(), force: true);
        var pruned = _b.Store.Prune(); // the cache still pins its layers
        Assert.NotEmpty(_b.Store.Layers.List());
        var report = _b.Store.BuildCache.Prune();
        Assert.True(report.EntriesRemoved >= 6);
        Assert.Empty(_b.Store.BuildCache.List());
        Assert.Empty(_b.Store.Layers.List());
        _b.Build(Recipe);
        Assert.Equal(0, Hits);
    }

    private BuildOptions Options(Dictionary<string, string>? args = null) => new()
    {
        ContextDirectory = _b.Context,
        RecipeText = "",
        BuildArgs = args ?? [],
    };
}
