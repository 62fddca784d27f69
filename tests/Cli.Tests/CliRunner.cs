using System.Diagnostics;

namespace Images.Cli.Tests;

/// <summary>Runs the built `images` CLI as a separate process, as a user would, against a given store root.</summary>
public sealed class CliRunner(string root, string driver = "vfs")
{
    public string Root { get; } = root;

    /// <summary>The driver every run uses (IMAGES_DRIVER), so one test sees one driver.</summary>
    public string Driver { get; } = driver;

    /// <summary>Extra environment variables for every run (e.g. DOCKER_CONFIG).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The CLI assembly next to the test assembly (the project reference copies it there).</summary>
    public static string CliPath => Path.Combine(AppContext.BaseDirectory, "images.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public ProcessStartInfo StartInfo(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(CliPath);
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(Root);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["IMAGES_DRIVER"] = Driver;
        foreach (var (name, value) in Environment) psi.Environment[name] = value;
        return psi;
    }

    public Result Run(params string[] args) => RunWithInput(null, args);

    /// <summary>Runs with <paramref name="input"/> written to stdin (then closed).</summary>
    public Result RunWithInput(string? input, params string[] args)
    {
        using var p = Process.Start(StartInfo(args))!;
        if (input is not null) p.StandardInput.Write(input);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"images {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs and asserts success, returning stdout.</summary>
    public string Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0, $"images {string.Join(' ', args)} failed: {r}");
        return r.Stdout;
    }
}
