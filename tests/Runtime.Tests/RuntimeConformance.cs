using System.Text;
using Images.Drivers.Tests;
using Images.Platform;
using Images.Runtime.Tests.Support;

namespace Images.Runtime.Tests;

/// <summary>
/// One suite every runtime passes (a subclass per runtime): what a process sees in its container and how its
/// exit, output and signals come back.
/// </summary>
public abstract class RuntimeConformance : IDisposable
{
    private readonly ScratchDirectory _scratch = new("images-runtime-");

    protected RuntimeConformance()
    {
        if (!Files.IsRoot) Assert.Fail("the runtime tests run as root: they make namespaces and mounts");
        Rootfs = _scratch.Combine("rootfs");
        Directory.CreateDirectory(Rootfs);
        BusyboxTree.Write(Rootfs);
    }

    protected abstract IProcessRuntime Runtime { get; }

    protected string Rootfs { get; }

    public void Dispose()
    {
        try { Leaks.AssertNoneUnder(_scratch.Path); }
        finally { _scratch.Dispose(); }
    }

    protected sealed record Output(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    protected Output Run(ProcessSpec spec, string? stdin = null)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var input = stdin is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(stdin));
        int code = Runtime.Run(Rootfs, spec, ProcessIo.Pipes(input, stdout, stderr));
        return new Output(code, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    protected Output Sh(string script, Func<ProcessSpec, ProcessSpec>? with = null) =>
        Run((with ?? (s => s))(new ProcessSpec { Args = ["sh", "-c", script] }));

    [Fact]
    public void Name_matches_the_registry() => Assert.Equal(Runtime.Name, ProcessRuntimes.Open(Runtime.Name).Name);

    [Fact]
    public void Exit_code_comes_back()
    {
        var ok = Sh("true");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(3, Sh("exit 3").ExitCode);
    }

    [Fact]
    public void Stdout_and_stderr_are_separate_and_stdin_is_fed()
    {
        var r = Run(new ProcessSpec { Args = ["sh", "-c", "cat; echo to-err >&2"] }, stdin: "from-stdin\n");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("from-stdin\n", r.Stdout);
        Assert.Equal("to-err\n", r.Stderr);
    }

    [Fact]
    public void Environment_is_the_specs_with_default_path_and_home()
    {
        var r = Sh("echo \"$A|$PATH|$HOME\"", s => s with { Env = ["A=1 2"] });
        Assert.Equal($"1 2|{ProcessSpec.DefaultPath}|/root\n", r.Stdout);
        var own = Sh("echo \"$PATH\"", s => s with { Env = ["PATH=/bin"] });
        Assert.Equal("/bin\n", own.Stdout);
    }

    [Fact]
    public void Working_directory_is_created_when_missing()
    {
        var r = Sh("pwd", s => s with { WorkingDir = "/work/dir" });
        Assert.Equal("/work/dir\n", r.Stdout);
        Assert.True(Directory.Exists(Path.Combine(Rootfs, "work/dir")));
    }

    [Fact]
    public void User_by_name_gets_its_groups()
    {
        var r = Run(new ProcessSpec { Args = ["id"], User = "alice" });
        Assert.Equal("uid=1000(alice) gid=1000(alice) groups=1000(alice),2000(staff)\n", r.Stdout);
        var home = Sh("echo $HOME; whoami", s => s with { User = "bob" });
        Assert.Equal("/home/bob\nbob\n", home.Stdout);
    }

    [Fact]
    public void User_by_id_and_group()
    {
        var r = Run(new ProcessSpec { Args = ["id"], User = "1000:2000" });
        Assert.Equal("uid=1000(alice) gid=2000(staff) groups=2000(staff)\n", r.Stdout);
        var unknown = Run(new ProcessSpec { Args = ["id", "-u"], User = "4321" });
        Assert.Equal("4321\n", unknown.Stdout);
    }

    [Fact]
    public void Unknown_user_name_fails()
    {
        var e = Assert.Throws<Users.UserNotFoundException>(() => Run(new ProcessSpec { Args = ["true"], User = "mallory" }));
        Assert.Contains("mallory", e.Message);
    }

    [Fact]
    public void Missing_command_exits_127()
    {
        var r = Run(new ProcessSpec { Args = ["no-such-command"] });
        Assert.True(r.ExitCode == 127, r.ToString());
        Assert.Contains("no-such-command", r.Stderr);
    }

    [Fact]
    public void The_process_is_pid_1_and_proc_shows_only_the_container()
    {
        var r = Sh("echo $$; ps -o pid,comm | tail -n +2 | wc -l");
        Assert.Equal("1\n", r.Stdout.Split('\n')[0] + "\n");
        // sh (1), ps, tail, wc: nothing of the host.
        Assert.True(int.Parse(r.Stdout.Split('\n')[1].Trim()) <= 4, r.Stdout);
    }

    [Fact]
    public void Hostname_is_set()
    {
        var r = Sh("hostname; cat /etc/hostname; echo $HOSTNAME", s => s with { Hostname = "box1" });
        Assert.Equal("box1\nbox1\nbox1\n", r.Stdout);
    }

    [Fact]
    public void Network_none_has_only_loopback()
    {
        var r = Sh("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", s => s with { Network = NetworkMode.None });
        Assert.Equal("lo\n", r.Stdout);
        var host = Sh("tail -n +3 /proc/net/dev | wc -l");
        Assert.Equal(File.ReadAllLines("/proc/net/dev").Length - 2, int.Parse(host.Stdout.Trim()));
    }

    [Fact]
    public void Minimal_dev_and_readonly_sys()
    {
        var r = Sh("ls /dev | sort | tr '\\n' ' '; echo x > /dev/null && echo null-ok; touch /sys/x 2>/dev/null || echo sys-ro");
        foreach (var node in new[] { "full", "null", "pts", "ptmx", "random", "shm", "tty", "urandom", "zero" })
            Assert.Contains(node + " ", r.Stdout);
        Assert.Contains("null-ok\n", r.Stdout);
        Assert.Contains("sys-ro\n", r.Stdout);
    }

    [Fact]
    public void Root_keeps_only_dockers_default_capabilities()
    {
        // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
        var r = Sh("grep -E '^Cap(Bnd|Eff)' /proc/self/status | cut -f2");
        Assert.Equal("00000000a80425fb\n00000000a80425fb\n", r.Stdout);
    }

    [Fact]
    public void Signals_reach_the_process()
    {
        var stdout = new BlockingStream();
        using var process = Runtime.Start(Rootfs,
            new ProcessSpec { Args = ["sh", "-c", "trap 'exit 42' TERM; echo ready; while true; do sleep 0.05; done"] },
            ProcessIo.Pipes(null, stdout, Stream.Null));
        stdout.WaitFor("ready");
        process.Signal(ProcessControl.SIGTERM);
        Assert.Equal(42, process.Wait());
    }

    [Fact]
    public void Killed_by_a_signal_exits_128_plus_signal()
    {
        var stdout = new BlockingStream();
        using var process = Runtime.Start(Rootfs, new ProcessSpec { Args = ["sh", "-c", "echo ready; exec sleep 100"] },
            ProcessIo.Pipes(null, stdout, Stream.Null));
        stdout.WaitFor("ready");
        int pid = process.Pid;
        process.Signal(ProcessControl.SIGKILL);
        Assert.Equal(137, process.Wait());
        Assert.False(Directory.Exists($"/proc/{pid}"));
    }

    [Fact]
    public void Cancellation_kills_and_waits()
    {
        var stdout = new BlockingStream();
        using var cancel = new CancellationTokenSource();
        int pid = 0;
        var run = Task.Run(() => Runtime.Run(Rootfs, new ProcessSpec { Args = ["sh", "-c", "echo ready; exec sleep 100"] },
            ProcessIo.Pipes(null, stdout, Stream.Null), cancel.Token));
        stdout.WaitFor("ready");
        pid = WaitForSleep();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => run.GetAwaiter().GetResult());
        Assert.False(Directory.Exists($"/proc/{pid}"), "the container's process outlived cancellation");
    }

    [Fact]
    public void Volumes_are_bound_read_write_and_read_only()
    {
        string rw = _scratch.Combine("rw");
        string ro = _scratch.Combine("ro");
        Directory.CreateDirectory(rw);
        Directory.CreateDirectory(ro);
        File.WriteAllText(Path.Combine(ro, "given"), "hello\n");
        var r = Sh("echo written > /data/rw/file && cat /data/ro/given && (touch /data/ro/x 2>/dev/null || echo ro-refused)",
            s => s with { Volumes = [new VolumeMount(rw, "/data/rw"), new VolumeMount(ro, "/data/ro", ReadOnly: true)] });
        Assert.Equal("hello\nro-refused\n", r.Stdout);
        Assert.Equal("written\n", File.ReadAllText(Path.Combine(rw, "file")));
        Assert.False(File.Exists(Path.Combine(ro, "x")));
    }

    [Fact]
    public void Read_only_rootfs_refuses_writes()
    {
        var r = Sh("touch /x 2>/dev/null || echo refused; echo ok > /dev/shm/y && echo shm-ok", s => s with { ReadOnlyRootfs = true });
        Assert.Equal("refused\nshm-ok\n", r.Stdout);
        Assert.False(File.Exists(Path.Combine(Rootfs, "x")));
    }

    private int WaitForSleep()
    {
        for (int i = 0; i < 6000; i++)
        {
            var pids = ContainerPids();
            if (pids.Count == 1) return pids[0];
            Thread.Sleep(10);
        }
        throw new TimeoutException("the container's sleep did not start");
    }

    /// <summary>Host pids of processes whose root is this test's rootfs (the container's processes).</summary>
    private IReadOnlyList<int> ContainerPids()
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (comm == "sleep" && cmdline == "sleep\0" + "100\0") found.Add(pid);
            }
            catch (IOException) { }
        }
        return found;
    }
}

public sealed class BuiltinRuntimeTests : RuntimeConformance
{
    protected override IProcessRuntime Runtime { get; } = ProcessRuntimes.Open("builtin");
}

public sealed class RuncRuntimeTests : RuntimeConformance
{
    protected override IProcessRuntime Runtime { get; } = ProcessRuntimes.Open("runc");
}
