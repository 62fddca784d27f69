using System.Text.Json;
using Images.Cli.Tests;

namespace Images.Inspect.Tests;

/// <summary>The CLI commands run as a user runs them, on the sample image's layout (no store needed).</summary>
public sealed class CommandTests : IDisposable
{
    private readonly Scratch _scratch = new();
    private readonly CliRunner _cli;
    private readonly string _image;

    public CommandTests()
    {
        _cli = new CliRunner(_scratch.Combine("store"));
        SampleImage.Build().Write(_scratch.Combine("layout"), "v1");
        _image = $"oci:{_scratch.Combine("layout")}:v1";
    }

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Layers_ShowsEachLayersTree_AndTheFigures()
    {
        string output = _cli.Ok("layers", _image, "--only-changes");

        Assert.Contains("Layer 2 of 3", output);
        Assert.Contains("Command: RUN edit config && rm /tmp/scratch", output);
        Assert.Matches(@"(?m)^  M\s+120B\s+config$", output);
        Assert.Matches(@"(?m)^  R\s+500B\s+scratch$", output);
        Assert.Matches(@"(?m)^  R\s+500B\s+cache/$", output);
        Assert.Contains("Potential wasted space:  1.95kB", output);
        Assert.Contains("Image efficiency score:  49.92 %", output);
        Assert.Matches(@"(?m)^2\s+600B\s+/data/dup$", output);
    }

    [Fact]
    public void Layers_Json_CarriesTheFigures()
    {
        string output = _cli.Ok("layers", _image, "--format", "json", "--depth", "1");

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(SampleImage.WastedBytes, root.GetProperty("wastedBytes").GetInt64());
        Assert.Equal(SampleImage.TotalSize, root.GetProperty("totalSize").GetInt64());
        Assert.Equal(SampleImage.Efficiency, root.GetProperty("efficiency").GetDouble(), 9);
        Assert.Equal(SampleImage.UserWastedPercent, root.GetProperty("userWastedPercent").GetDouble(), 9);
        var third = root.GetProperty("layers")[2].GetProperty("changes").EnumerateArray()
            .Select(c => $"{c.GetProperty("path").GetString()} {c.GetProperty("size").GetInt64()} {(c.TryGetProperty("hiddenChanges", out var h) ? h.GetInt32() : 0)}")
            .ToArray();
        Assert.Equal(["/data 300 1", "/lib 35 3", "/opt 50 1", "/var 500 1"], third);
    }

    [Fact]
    public void Ci_FailsWithAClearMessage_WhenEfficiencyIsTooLow()
    {
        var result = _cli.Run("layers", _image, "--ci", "--lowest-efficiency", "0.5", "--highest-user-wasted-percent", "4");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("efficiency 49.92% is below the lowest allowed 50.00%", result.Stderr);
        Assert.DoesNotContain("user wasted", result.Stderr);
        Assert.Contains("CI: FAIL", result.Stdout);
        Assert.DoesNotContain("Layer 1 of 3", result.Stdout); // CI prints the summary only
    }

    [Fact]
    public void Ci_Passes_WhenNoThresholdIsCrossed()
    {
        var result = _cli.Run("layers", _image, "--ci", "--lowest-efficiency", "0.49", "--highest-user-wasted-percent", "380%", "--highest-wasted-bytes", "1950");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("CI: PASS", result.Stdout);
    }

    [Fact]
    public void Ci_ChecksWastedBytes_AndUserWastedPercent()
    {
        var wasted = _cli.Run("layers", _image, "--ci", "--lowest-efficiency", "0", "--highest-user-wasted-percent", "4", "--highest-wasted-bytes", "1.9kB");
        Assert.Equal(1, wasted.ExitCode);
        Assert.Contains("wasted bytes 1950 exceed the highest allowed 1900", wasted.Stderr);

        // Default user-wasted threshold with --ci is dive's 0.1.
        var user = _cli.Run("layers", _image, "--ci", "--lowest-efficiency", "0");
        Assert.Equal(1, user.ExitCode);
        Assert.Contains("user wasted percent 378.64% exceeds the highest allowed 10.00%", user.Stderr);
    }

    [Fact]
    public void ThresholdsWithoutCi_AreAUsageError()
    {
        var result = _cli.Run("layers", _image, "--lowest-efficiency", "0.5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("add --ci", result.Stderr);
    }

    [Fact]
    public void Diff_PrintsDockerLines_AndOneArgumentIsAContainer()
    {
        SampleImage.Build().Write(_scratch.Combine("layout"), "v1-again");
        Assert.Equal("", _cli.Ok("diff", _image, $"oci:{_scratch.Combine("layout")}:v1-again"));

        // One argument names a container (docker diff CONTAINER); an image is not one.
        var single = _cli.Run("diff", _image);
        Assert.Equal(1, single.ExitCode);
        Assert.Contains($"no such container: {_image}", single.Stderr);
    }
}
