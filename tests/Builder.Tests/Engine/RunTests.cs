using Images.Builder.Engine;
using Images.Platform;

namespace Images.Builder.Tests.Engine;

/// <summary>RUN through the builtin runtime on a busybox base (no network).</summary>
public sealed class RunTests : IDisposable
{
    private const string DefaultPath = "PATH=" + Images.Runtime.ProcessSpec.DefaultPath;

    private readonly BuildBench _b = new();

    public RunTests() => _b.AddBusybox();

    public void Dispose() => _b.Dispose();

    [Fact]
    public void ShellExecAndHeredocForms_WithEnvArgsUserAndWorkdir()
    {
        _b.Write("passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        _b.Write("group", "root:x:0:\napp:x:1000:\n");
        var result = _b.Build(BuildBench.BusyboxBase + """
            COPY passwd group /etc/
            ARG WHO=builder
            ENV STAGE=test
            RUN echo "$STAGE by $WHO" > /shell.txt
            RUN ["/bin/sh", "-c", "echo exec > /exec.txt"]
            RUN <<EOF
            echo one > /heredoc.txt
            echo two >> /heredoc.txt
            EOF
            RUN cat <<A > /cat.txt
            inline $STAGE
            A
            WORKDIR /work/dir
            RUN pwd > here.txt
            RUN mkdir -p /owned && chown app /owned
            USER app
            RUN id -u > /owned/uid.txt
            SHELL ["/bin/sh", "-c", "echo shell-changed > /owned/shell-marker; eval \"$0\""]
            RUN true
            """);
        Assert.Equal("test by builder\n", _b.ReadFile(result, "shell.txt"));
        Assert.Equal("exec\n", _b.ReadFile(result, "exec.txt"));
        Assert.Equal("one\ntwo\n", _b.ReadFile(result, "heredoc.txt"));
        Assert.Equal("inline test\n", _b.ReadFile(result, "cat.txt"));
        Assert.Equal("/work/dir\n", _b.ReadFile(result, "work/dir/here.txt"));
        Assert.Equal("1000\n", _b.ReadFile(result, "owned/uid.txt"));
        Assert.Equal("shell-changed\n", _b.ReadFile(result, "owned/shell-marker"));
        // Build args reach RUN's environment but never the image's.
        Assert.Equal([DefaultPath, "STAGE=test"], _b.Config(result).Config!.Env);
        var history = _b.Config(result).History!;
        Assert.Contains(history, h => h.CreatedBy == "|1 WHO=builder /bin/sh -c echo \"$STAGE by $WHO\" > /shell.txt");
    }

    [Fact]
    public void AFailingStepStopsTheBuild_WithItsOutputAndExitCode_AndLeavesNothingBehind()
    {
        var e = _b.BuildFails(BuildBench.BusyboxBase + "RUN echo before-fail && exit 7\nRUN echo never\n");
        Assert.Equal(7, e.ExitCode);
        Assert.Contains("returned a non-zero code: 7", e.Message);
        Assert.Contains("before-fail", _b.Log.ToString());
        Assert.DoesNotContain("Step 5/5", _b.Log.ToString());
        _b.AssertClean();
        Assert.Empty(_b.Store.Images.List());

        // The steps before the failure are cached.
        _b.Build(BuildBench.BusyboxBase + "RUN echo fixed\n");
        Assert.Equal(2, CountOf(_b.Log.ToString(), " ---> Using cache"));
    }

    [Fact]
    public void DeletionsInRunBecomeWhiteouts()
    {
        var result = _b.Build(BuildBench.BusyboxBase + "RUN mkdir /d && echo x > /d/f && echo y > /gone\nRUN rm -r /d /gone && dd if=/dev/zero of=/big bs=1k count=64 2>/dev/null && rm /big\n");
        _b.InRootfs(result, root =>
        {
            Assert.False(Files.TryLstat(Path.Combine(root, "d"), out _));
            Assert.False(Files.TryLstat(Path.Combine(root, "gone"), out _));
            Assert.False(Files.TryLstat(Path.Combine(root, "big"), out _));
            return 0;
        });
        var top = _b.Store.Layers.Get(_b.Store.Images.Get(result.ImageId)!.TopLayer!.Value)!;
        using var tar = new System.Formats.Tar.TarReader(_b.Store.Layers.OpenDiff(top.ChainId));
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry) names.Add(entry.Name);
        Assert.Contains(".wh.d", names);
        Assert.Contains(".wh.gone", names);
        Assert.DoesNotContain(names, n => n.Contains("big"));
    }

    internal static int CountOf(string text, string what) => text.Split(what).Length - 1;
}
