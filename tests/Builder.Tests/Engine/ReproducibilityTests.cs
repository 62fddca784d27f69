using Images.Builder.Engine;

namespace Images.Builder.Tests.Engine;

/// <summary>The same recipe and context give the same layers; with SOURCE_DATE_EPOCH the same image digest.</summary>
public sealed class ReproducibilityTests
{
    private const string Recipe = BuildBench.BusyboxBase + "COPY app /app/\nRUN echo built > /app/stamp && touch /app\nCMD [\"/app/run\"]\n";

    [Fact]
    public void TwoStoresBuildTheSameImage_WithSourceDateEpoch()
    {
        var epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var results = new List<(Images.Core.Digests.Digest Id, Images.Core.Digests.Digest Manifest, IReadOnlyList<Images.Core.Digests.Digest> DiffIds, DateTimeOffset? Created)>();
        foreach (int _ in new[] { 1, 2 })
        {
            using var b = new BuildBench();
            b.AddBusybox();
            b.Write("app/run", "#!/bin/sh\n", mode: 0x1ed);
            b.Write("app/data", "data\n");
            var result = b.Build(Recipe, new BuildOptions { ContextDirectory = b.Context, RecipeText = Recipe, SourceDateEpoch = epoch });
            var config = b.Config(result);
            results.Add((result.ImageId, result.ManifestDigest, config.RootFs.DiffIds, config.Created));
            Assert.All(config.History!, h => Assert.Equal(epoch, h.Created));
            Thread.Sleep(1100); // the second build's files are made at another second
        }
        Assert.Equal(results[0].DiffIds, results[1].DiffIds);
        Assert.Equal(results[0].Id, results[1].Id);
        Assert.Equal(results[0].Manifest, results[1].Manifest);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), results[0].Created);
    }
}
