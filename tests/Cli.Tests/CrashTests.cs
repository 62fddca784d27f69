using System.Diagnostics;

namespace Images.Cli.Tests;

/// <summary>
/// Kills `images load` with SIGKILL at random moments: after each kill the store must be consistent (the
/// recovery on open plus `images check`) and a later load must succeed.
/// </summary>
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
        var reference = new CliRunner(Path.Combine(_work, "reference-root"));
        var clock = Stopwatch.StartNew();
        reference.Ok("load", "-i", layout);
        var loadTime = clock.Elapsed;

        var cli = new CliRunner(Path.Combine(_work, "root"));
        var random = new Random(20261128);
        int killedMidway = 0;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var delay = TimeSpan.FromMilliseconds(80 + random.NextDouble() * loadTime.TotalMilliseconds * 1.1);
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
                p.WaitForExit();
            }

            var check = cli.Run("check");
            Assert.True(check.ExitCode == 0, $"after kill {attempt} (at {delay.TotalMilliseconds:0} ms) the store is not consistent: {check}");
            Assert.Contains("store is consistent", check.Stdout);
        }
        Assert.True(killedMidway >= 10, $"only {killedMidway} of 20 loads were killed before they finished; the test did not test crashes");

        string loaded = cli.Ok("load", "-i", layout);
        Assert.Contains("Loaded image: crash/big:v1", loaded);
        Assert.Contains("store is consistent", cli.Ok("check"));
        // The crashed store ends with the same image as the undisturbed one.
        Assert.Equal(reference.Ok("inspect", "crash/big:v1"), cli.Ok("inspect", "crash/big:v1"));
    }
}
