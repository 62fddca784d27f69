using System.Text;
using Images.Archive;
using Images.Drivers.Tests;
using Images.Platform;
using Images.Runtime.Containers;
using Images.Runtime.Tests.Support;
using Images.Store;

namespace Images.Runtime.Tests;

/// <summary>Containers through the library API (what the deploy code calls): create, start detached, exec, stop, diff, commit, remove.</summary>
public sealed class ContainerTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("images-containers-");
    private readonly LocalStore _store;
    private readonly ContainerManager _containers;

    public ContainerTests()
    {
        if (!Files.IsRoot) Assert.Fail("the container tests run as root: they make namespaces and mounts");
        _store = LocalStore.Open(new StoreOptions { Root = _scratch.Combine("store"), Driver = "vfs" });
        BusyboxImage.Add(_store);
        _containers = new ContainerManager(_store);
    }

    public void Dispose()
    {
        try
        {
            foreach (var c in _containers.List(all: true)) _containers.Remove(c.Id, force: true);
            Assert.Empty(_store.Layers.ListRw());
            Leaks.AssertNoneUnder(_scratch.Path);
        }
        finally
        {
            _store.Dispose();
            _scratch.Dispose();
        }
    }

    private static RunOptions Cmd(params string[] cmd) => new() { Cmd = cmd };

    private Container WaitExited(string id)
    {
        for (int i = 0; i < 6000; i++)
        {
            var c = _containers.Get(id);
            if (c.State.Status == ContainerStatus.Exited) return c;
            Thread.Sleep(10);
        }
        throw new TimeoutException($"container {id} did not exit");
    }

    private (int Code, string Out, string Err) Exec(string id, ExecOptions options)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        int code = _containers.Exec(id, options, ProcessIo.Pipes(null, stdout, stderr));
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [Fact]
    public void Detached_container_logs_and_exit_code_are_recorded_and_the_layer_unmounted()
    {
        var c = _containers.Create("busybox:test", Cmd("sh", "-c", "echo out; echo err >&2; exit 3"));
        Assert.Equal(ContainerStatus.Created, c.State.Status);
        _containers.Start(c.Id);
        var done = WaitExited(c.Id);
        Assert.Equal(3, done.State.ExitCode);
        Assert.Equal("out\nerr\n", File.ReadAllText(_containers.LogPath(c.Id)));
        Assert.DoesNotContain(_store.Layers.Mounts(), m => m.Holder.Contains(c.Id));
        Assert.Empty(Leaks.MountsUnder(_scratch.Path));
    }

    [Fact]
    public void Exec_sees_the_containers_namespaces_files_and_env_and_returns_its_exit_code()
    {
        var c = _containers.Create("busybox:test", Cmd("sh", "-c", "echo inside > /marker; exec sleep 1000") with { Env = ["FOO=bar"], Hostname = "web1" });
        _containers.Start(c.Id);
        Assert.True(_containers.Get(c.Id).IsRunning);
        for (int i = 0; i < 500 && !File.Exists(Path.Combine(_scratch.Path, "never")); i++)
        {
            var probe = Exec(c.Id, new ExecOptions { Cmd = ["cat", "/marker"] });
            if (probe.Code == 0) break;
            Thread.Sleep(10);
        }
        var r = Exec(c.Id, new ExecOptions
        {
            Cmd = ["sh", "-c", "cat /marker; hostname; echo $FOO $BAR; ps -o pid,comm | grep -c sleep; readlink /proc/1/exe; exit 7"],
            Env = ["BAR=baz"],
        });
        Assert.True(r.Code == 7, $"exit {r.Code}: {r.Out} {r.Err}");
        Assert.Equal("inside\nweb1\nbar baz\n1\n/bin/busybox\n", r.Out);
        var user = Exec(c.Id, new ExecOptions { Cmd = ["id", "-un"], User = "alice", WorkingDir = "/tmp" });
        Assert.Equal("alice\n", user.Out);

        var stopped = _containers.Stop(c.Id, TimeSpan.FromMilliseconds(200));
        Assert.Equal(ContainerStatus.Exited, stopped.State.Status);
        Assert.Equal(137, stopped.State.ExitCode); // sh/sleep as pid 1 has no SIGTERM handler: killed after the timeout
    }

    [Fact]
    public void Stop_sends_sigterm_first()
    {
        var c = _containers.Create("busybox:test", Cmd("sh", "-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 0.05; done"));
        _containers.Start(c.Id);
        for (int i = 0; i < 6000 && !File.ReadAllText(_containers.LogPath(c.Id)).Contains("ready"); i++) Thread.Sleep(10);
        var stopped = _containers.Stop(c.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(0, stopped.State.ExitCode);
    }

    [Fact]
    public void Auto_remove_removes_the_container_and_its_layer()
    {
        var c = _containers.Create("busybox:test", Cmd("true"), new ContainerManager.CreateOptions { AutoRemove = true });
        _containers.Start(c.Id);
        for (int i = 0; i < 6000 && _containers.List(all: true).Any(x => x.Id == c.Id); i++) Thread.Sleep(10);
        Assert.DoesNotContain(_containers.List(all: true), x => x.Id == c.Id);
        Assert.Null(_store.Layers.GetRw(c.Id));
    }

    [Fact]
    public void Diff_and_commit_capture_the_containers_changes()
    {
        var c = _containers.Create("busybox:test", Cmd("sh", "-c", "rm /etc/passwd; echo x > /new; chmod 700 /srv"), new ContainerManager.CreateOptions { Name = "changer" });
        _containers.Start("changer");
        Assert.Equal(0, WaitExited(c.Id).State.ExitCode);
        var changes = _containers.Diff("changer").Select(x => x.ToString()).ToList();
        Assert.Equal(["C /etc", "D /etc/passwd", "A /new", "C /srv"], changes);

        var image = ContainerCommit.Commit(_store, _containers, "changer", Images.Core.References.Reference.Parse("committed:1"));
        var root = _store.Layers.Mount(image.TopLayer!.Value, "test");
        try
        {
            Assert.False(File.Exists(Path.Combine(root, "etc/passwd")));
            Assert.Equal("x\n", File.ReadAllText(Path.Combine(root, "new")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(root, "srv")));
        }
        finally
        {
            _store.Layers.Unmount(image.TopLayer!.Value, "test");
        }
        // The container continues on the committed layer: same view, nothing left to diff.
        Assert.Empty(_containers.Diff("changer"));
    }

    [Fact]
    public void Names_are_unique_and_bad_input_is_refused()
    {
        _containers.Create("busybox:test", Cmd("true"), new ContainerManager.CreateOptions { Name = "one" });
        Assert.Throws<ArgumentException>(() => _containers.Create("busybox:test", Cmd("true"), new ContainerManager.CreateOptions { Name = "one" }));
        Assert.Throws<ArgumentException>(() => _containers.Create("busybox:test", Cmd("true"), new ContainerManager.CreateOptions { Runtime = "lxc" }));
        Assert.Throws<ContainerNotFoundException>(() => _containers.Get("nope"));
        Assert.Throws<ContainerStateException>(() => _containers.Exec("one", new ExecOptions { Cmd = ["true"] }, ProcessIo.Inherit));
    }
}
