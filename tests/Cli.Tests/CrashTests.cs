using System.Diagnostics;

namespace Images.Cli.Tests;

/// <summary>
/// Kills `images load` with SIGKILL at random moments: after each kill the store must be consistent (the
/// recovery on open plus `images check`), prune must clear what the killed load left, and a later load must succeed.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CrashTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"images-crash-{Guid.NewGuid():N}");

    public CrashTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void KilledLoad_LeavesAConsistentStore_AndTheNextLoadSucceeds()
    {
        string layout = Path.Combine(_work, "layout");
        TestImages.WriteLayout(layout, "crash/big", "v1", layers: 12, filesPerLayer: 120, fileSize: 24 * 1024, seed: 42);

        // How long an undisturbed load takes, so kills land across all of its phases.
        // (The second of two loads into fresh roots: the first pays for cold caches.)
        var reference = new CliRunner(Path.Combine(_work, "reference-root"));
        reference.Ok("load", "-i", layout);
        var warm = new CliRunner(Path.Combine(_work, "warm-root"));
        var clock = Stopwatch.StartNew();
        warm.Ok("load", "-i", layout);
        var loadTime = clock.Elapsed;

        var cli = new CliRunner(Path.Combine(_work, "root"));
        var random = new Random(20261128);
        int killedMidway = 0;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var delay = TimeSpan.FromMilliseconds(loadTime.TotalMilliseconds * (0.05 + 0.9 * random.NextDouble()));
            var started = Stopwatch.StartNew();
            using (var p = Process.Start(cli.StartInfo("load", "-i", layout))!)
            {
                p.StandardInput.Close();
                _ = p.StandardOutput.ReadToEndAsync();
                _ = p.StandardError.ReadToEndAsync();
                if (!p.WaitForExit(delay))
                {
                    p.Kill(); // SIGKILL
                    killedMidway++;
                }
                else
                {
                    // A load that beat the delay shows loads run faster now than when calibrated: aim within that.
                    loadTime = TimeSpan.FromTicks(Math.Min(loadTime.Ticks, started.Elapsed.Ticks));
                }
                p.WaitForExit();
            }

            var check = cli.Run("check");
            Assert.True(check.ExitCode == 0, $"after kill {attempt} (at {delay.TotalMilliseconds:0} ms) the store is not consistent: {check}");
            Assert.Contains("store is consistent", check.Stdout);

            // Back to an empty store, so that the next load has all its work to do again.
            cli.Run("rmi", "--force", "crash/big:v1");
            cli.Ok("prune", "--all");
            Assert.Empty(cli.Ok("ls", "--format", "json").Trim());
            Assert.Contains("store is consistent", cli.Ok("check"));
        }
        Assert.True(killedMidway >= 10, $"only {killedMidway} of 20 loads were killed before they finished; the test did not test crashes");

        string loaded = cli.Ok("load", "-i", layout);
        Assert.Contains("Loaded image: crash/big:v1", loaded);
        Assert.Contains("store is consistent", cli.Ok("check"));
        // The crashed store ends with the same image as the undisturbed one.
        Assert.Equal(reference.Ok("inspect", "crash/big:v1"), cli.Ok("inspect", "crash/big:v1"));
    }
}

/// <summary>The crash test runs alone: its kill times are calibrated on a load that other tests must not slow down.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "crash (not parallel)";
}
