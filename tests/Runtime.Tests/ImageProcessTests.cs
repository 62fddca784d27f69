using Images.Core.Oci;

namespace Images.Runtime.Tests;

/// <summary>The ENTRYPOINT/CMD table of the Dockerfile reference, env merge and defaults.</summary>
public sealed class ImageProcessTests
{
    private static readonly string[] ShellEntry = ["/bin/sh", "-c", "exec_entry p1_entry"];
    private static readonly string[] ExecEntry = ["exec_entry", "p1_entry"];
    private static readonly string[] ShellCmd = ["/bin/sh", "-c", "exec_cmd p1_cmd"];
    private static readonly string[] ExecCmd = ["exec_cmd", "p1_cmd"];

    private static ImageConfig Image(string[]? entrypoint, string[]? cmd, ContainerConfig? more = null) =>
        new() { Config = (more ?? new ContainerConfig()) with { Entrypoint = entrypoint, Cmd = cmd } };

    public static TheoryData<string[]?, string[]?, string[]> Table => new()
    {
        // No ENTRYPOINT
        { null, ExecCmd, ["exec_cmd", "p1_cmd"] },
        { null, ShellCmd, ["/bin/sh", "-c", "exec_cmd p1_cmd"] },
        // ENTRYPOINT exec_entry p1_entry (shell form): CMD becomes sh's $0.. and is ignored by the script
        { ShellEntry, null, ["/bin/sh", "-c", "exec_entry p1_entry"] },
        { ShellEntry, ExecCmd, ["/bin/sh", "-c", "exec_entry p1_entry", "exec_cmd", "p1_cmd"] },
        // ENTRYPOINT ["exec_entry", "p1_entry"]
        { ExecEntry, null, ["exec_entry", "p1_entry"] },
        { ExecEntry, ExecCmd, ["exec_entry", "p1_entry", "exec_cmd", "p1_cmd"] },
        { ExecEntry, ShellCmd, ["exec_entry", "p1_entry", "/bin/sh", "-c", "exec_cmd p1_cmd"] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Entrypoint_and_cmd_combine_as_the_dockerfile_reference_says(string[]? entrypoint, string[]? cmd, string[] expected) =>
        Assert.Equal(expected, ImageProcess.From(Image(entrypoint, cmd), new RunOptions()).Args);

    [Fact]
    public void Run_arguments_replace_cmd_and_entrypoint_flag_drops_the_image_cmd()
    {
        var image = Image(ExecEntry, ExecCmd);
        Assert.Equal(["exec_entry", "p1_entry", "x"], ImageProcess.From(image, new RunOptions { Cmd = ["x"] }).Args);
        Assert.Equal(["/bin/other"], ImageProcess.From(image, new RunOptions { Entrypoint = "/bin/other" }).Args);
        Assert.Equal(["/bin/other", "y"], ImageProcess.From(image, new RunOptions { Entrypoint = "/bin/other", Cmd = ["y"] }).Args);
        Assert.Equal(["z"], ImageProcess.From(image, new RunOptions { Entrypoint = "", Cmd = ["z"] }).Args);
        Assert.Throws<ArgumentException>(() => ImageProcess.From(image, new RunOptions { Entrypoint = "" }));
        Assert.Throws<ArgumentException>(() => ImageProcess.From(null, new RunOptions()));
    }

    [Fact]
    public void Env_merges_with_later_values_winning_and_workdir_and_user_default_to_the_image()
    {
        var image = Image(null, ["sh"], new ContainerConfig { Env = ["A=1", "PATH=/img", "B=2"], WorkingDir = "/app", User = "alice" });
        var spec = ImageProcess.From(image, new RunOptions { Env = ["B=3", "C=4"] });
        Assert.Equal(["A=1", "PATH=/img", "B=3", "C=4"], spec.Env);
        Assert.Equal("/app", spec.WorkingDir);
        Assert.Equal("alice", spec.User);
        var over = ImageProcess.From(image, new RunOptions { WorkingDir = "/w", User = "0:0" });
        Assert.Equal(("/w", "0:0"), (over.WorkingDir, over.User));
        Assert.Equal("/", ImageProcess.From(Image(null, ["sh"]), new RunOptions()).WorkingDir);
    }

    [Fact]
    public void Default_path_and_home_are_added_only_when_missing()
    {
        Assert.Equal(["A=1", "PATH=" + ProcessSpec.DefaultPath, "HOME=/root"], ProcessEnvironment.Complete(["A=1"], "/root"));
        Assert.Equal(["PATH=/x", "HOME=/h"], ProcessEnvironment.Complete(["PATH=/x", "HOME=/h"], "/root"));
    }
}
