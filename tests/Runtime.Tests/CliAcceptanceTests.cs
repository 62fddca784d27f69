using System.Diagnostics;
using Images.Cli.Tests;
using Images.Drivers.Tests;
using Images.Platform;
using Images.Runtime.Tests.Support;
using Images.Store;
using Images.Transfer.Tests.Support;

namespace Images.Runtime.Tests;

/// <summary>
/// The runtime issue's acceptance through the `images` command: the umoci fixture on every driver (run, diff,
/// commit, export), and a busybox image for the process lifecycle (kill -9 of `images`, signals, --rm, exec, logs).
/// </summary>
[Collection(UmociCollection.Name)]
public sealed class CliAcceptanceTests(UmociFixture fixture)
{
    private const string Busybox = "/bin/busybox";

    [Theory]
    [InlineData("vfs")]
    [InlineData("overlay")]
    [InlineData("aufs")]
    [InlineData("devicemapper")]
    [InlineData("btrfs")]
    public void Fixture_run_diff_commit_and_export_on_every_driver(string driver)
    {
        using var scratch = new ScratchDirectory($"runtime-cli-{driver}-");
        using var btrfs = driver == "btrfs" ? LoopMountedImage.Create("runtime-btrfs", "btrfs", 512L << 20, "mkfs.btrfs", "-q") : null;
        string root = Path.Combine(btrfs?.MountPoint ?? scratch.Path, "root");
        var cli = new CliRunner(root, driver);
        try
        {
            cli.Ok("load", "-i", fixture.Layout);
            // The fixture has no shell: a first container (busybox bound in) gives it one, /etc/passwd and /srv,
            // and is committed as the base the acceptance command runs on.
            cli.Ok("run", "--name", "prep", "-v", $"{Busybox}:/busybox:ro", "--entrypoint", "/busybox", fixture.ImageId.ToString(),
                "sh", "-c", "/busybox mkdir -p /etc /srv && /busybox cp /busybox /bin/busybox && for a in sh rm echo chmod; do /busybox ln -s busybox /bin/$a; done && echo root:x:0:0:root:/:/bin/sh > /etc/passwd");
            cli.Ok("commit", "prep", "fixture:base");

            var run = cli.Run("run", "--name", "c1", "fixture:base", "sh", "-c", "rm /etc/passwd; echo x > /new; chmod 700 /srv");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("C /etc\nD /etc/passwd\nA /new\nC /srv\n", cli.Ok("diff", "c1"));

            string imageId = cli.Ok("commit", "c1", "fixture:committed").Trim();
            string tar = Path.Combine(scratch.Path, "export.tar");
            cli.Ok("export", "fixture:committed", "-o", tar);
            string exported = Path.Combine(scratch.Path, "exported");
            Directory.CreateDirectory(exported);
            Tool.Run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", tar, "-C", exported);

            using (var store = LocalStore.Open(new StoreOptions { Root = root, Driver = driver }))
            {
                string id = store.Layers.ListRw().Single(r => store.Layers.GetRw(r.Name)!.Parent?.ToString() is not null
                    && Directory.Exists(Path.Combine(root, "containers", r.Name)) && File.ReadAllText(Path.Combine(root, "containers", r.Name, "config.json")).Contains("\"c1\"")).Name;
                string view = store.Layers.MountRw(id);
                try { TreeSnapshot.AssertEqual(TreeSnapshot.Of(view), TreeSnapshot.Of(exported)); }
                finally { store.Layers.UnmountRw(id); }
            }
            Assert.StartsWith("sha256:", imageId);
            cli.Ok("rm", "c1", "prep");
            Assert.Empty(Leaks.Under(root));
            Assert.Contains("store is consistent", cli.Ok("check"));
        }
        finally
        {
            cli.Run("rm", "-f", "c1", "prep");
        }
    }

    /// <summary>A store with the busybox image, and the CLI on it.</summary>
    private static CliRunner BusyboxStore(ScratchDirectory scratch)
    {
        string root = scratch.Combine("root");
        using (var store = LocalStore.Open(new StoreOptions { Root = root, Driver = "vfs" })) BusyboxImage.Add(store);
        return new CliRunner(root, "vfs");
    }

    [Fact]
    public void Kill_9_of_images_leaves_the_container_running_and_stop_stops_it()
    {
        Tool.RequireRoot();
        using var scratch = new ScratchDirectory("runtime-kill-");
        var cli = BusyboxStore(scratch);
        try
        {
            using var images = Process.Start(cli.StartInfo("run", "--name", "fg", "busybox:test", "sleep", "1000"))!;
            WaitUntil(() => cli.Ok("ps").Contains(" fg"), "the container to run");
            images.Kill(); // SIGKILL of `images run`
            images.WaitForExit();

            string detached = cli.Ok("run", "-d", "--name", "bg", "busybox:test", "sh", "-c", "echo started; exec sleep 1000").Trim();
            Assert.Equal(64, detached.Length);

            string ps = cli.Ok("ps");
            Assert.Contains(" fg", ps);
            Assert.Contains(" bg", ps);
            Assert.Contains("Up", ps);
            WaitUntil(() => cli.Ok("logs", "bg") == "started\n", "the log");

            var exec = cli.Run("exec", "-e", "X=1", "bg", "sh", "-c", "echo $X $(hostname); exit 5");
            Assert.Equal(5, exec.ExitCode);
            Assert.Equal($"1 {detached[..12]}\n", exec.Stdout);

            cli.Ok("stop", "-t", "0", "fg", "bg");
            string all = cli.Ok("ps", "-a");
            Assert.Contains("Exited (137)", all);
            Assert.DoesNotContain("Up", all);
            Assert.Empty(cli.Ok("ps").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
            cli.Ok("rm", "fg", "bg");
            Assert.Empty(Leaks.Under(cli.Root));
        }
        finally
        {
            cli.Run("rm", "-f", "fg", "bg");
        }
    }

    [Fact]
    public void Sigterm_of_images_run_reaches_the_container_and_its_code_comes_back()
    {
        Tool.RequireRoot();
        using var scratch = new ScratchDirectory("runtime-term-");
        var cli = BusyboxStore(scratch);
        using var images = Process.Start(cli.StartInfo("run", "--rm", "busybox:test", "sh", "-c", "trap 'exit 42' TERM; echo ready; while true; do sleep 0.05; done"))!;
        images.StandardInput.Close();
        Assert.Equal("ready", images.StandardOutput.ReadLine());
        ProcessControl.Signal(images.Id, ProcessControl.SIGTERM);
        Assert.True(images.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(42, images.ExitCode);
        // --rm: the container and its layer are gone; nothing is mounted.
        WaitUntil(() => cli.Ok("ps", "-a", "-q").Length == 0, "the container to be removed");
        Assert.Empty(Leaks.Under(cli.Root));
    }

    [Fact]
    public void Foreground_run_passes_stdio_and_exit_codes_and_flags_after_the_image_belong_to_the_command()
    {
        Tool.RequireRoot();
        using var scratch = new ScratchDirectory("runtime-fg-");
        var cli = BusyboxStore(scratch);
        var r = cli.Run("run", "--rm", "-e", "A=b", "-w", "/tmp", "-u", "alice", "busybox:test", "sh", "-c", "echo $A $(pwd) $(id -un); echo err >&2; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("b /tmp alice\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
        Assert.Equal("-v\n", cli.Ok("run", "--rm", "busybox:test", "echo", "-v"));
        Assert.Equal("lo\n", cli.Ok("run", "--rm", "--network", "none", "--runtime", "runc", "busybox:test", "sh", "-c", "ls /sys/class/net"));
        var missing = cli.Run("run", "--rm", "busybox:test", "nope");
        Assert.Equal(127, missing.ExitCode);
        var badUser = cli.Run("run", "--rm", "-u", "mallory", "busybox:test", "true");
        Assert.Equal(125, badUser.ExitCode);
        Assert.Contains("mallory", badUser.Stderr);

        // create, then start attached (twice: a container can be started again), then detached with its log.
        string id = cli.Ok("create", "--name", "again", "busybox:test", "sh", "-c", "echo hi; exit 4").Trim();
        var first = cli.Run("start", "-a", "again");
        Assert.Equal((4, "hi\n"), (first.ExitCode, first.Stdout));
        Assert.Equal(4, cli.Run("start", "-a", id[..8]).ExitCode);
        cli.Ok("start", "again");
        WaitUntil(() => cli.Ok("ps", "-a").Contains("Exited (4)") && cli.Ok("logs", "again") == "hi\n", "the detached start's log");
        cli.Ok("rm", "again");
        WaitUntil(() => cli.Ok("ps", "-a", "-q").Length == 0, "--rm containers to go");
        Assert.Empty(Leaks.Under(cli.Root));
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException($"waited a minute for {what}");
            Thread.Sleep(50);
        }
    }
}
