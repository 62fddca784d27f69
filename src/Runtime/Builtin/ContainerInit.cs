using Images.Platform;

namespace Images.Runtime.Builtin;

/// <summary>
/// The builtin runtime's init: started by <c>unshare --mount --pid --uts --ipc [--net] --fork</c> as pid 1 of the
/// new pid namespace, it builds the container's filesystem view (rootfs bind, /proc, a minimal /dev, /sys
/// read-only, /etc/hosts|hostname|resolv.conf, volumes), pivot_roots into it, sets the hostname, drops to the
/// user and execve's the process, which so becomes pid 1 itself.
/// </summary>
internal static class ContainerInit
{
    public const string Mode = "init";

    /// <summary>Exit code when the container could not be set up (Docker uses 125 for its own failures).</summary>
    public const int SetupFailed = 125;
    public const int NotExecutable = 126;
    public const int NotFound = 127;

    private const ulong NoSuidDevExec = Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC;

    public static int Run()
    {
        var request = InitRequest.FromEnvironment();
        var spec = request.Spec;
        string root = Path.GetFullPath(request.Rootfs);

        // Nothing we mount may propagate back to the host (unshare makes the tree private too; be explicit).
        Mounts.Mount(null, "/", null, Mounts.MS_REC | Mounts.MS_PRIVATE, null);
        Mounts.Mount(root, root, null, Mounts.MS_BIND | Mounts.MS_REC, null);
        if (spec.Network == NetworkMode.None) Namespaces.LoopbackUp();

        MountProc(root);
        MountDev(root);
        MountSys(root);
        BindEtcFiles(root, spec);
        foreach (var volume in spec.Volumes) BindVolume(root, volume);

        string? hostname = spec.Hostname is { Length: > 0 } h ? h : null;
        var plan = ExecPlan.Prepare(root, spec, hostname is null ? [] : [$"HOSTNAME={hostname}"], createWorkingDir: !spec.ReadOnlyRootfs);
        if (spec.ReadOnlyRootfs)
            Mounts.Mount(null, root, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | Mounts.MS_RDONLY, null);

        // pivot_root with new and old root the same directory: the old root is stacked on "." and detached at once,
        // so no temporary directory is made in the rootfs (which may be read-only).
        Namespaces.ChangeDirectory(root);
        Namespaces.PivotRoot(".", ".");
        Mounts.Unmount(".", detach: true);
        Namespaces.ChangeDirectory("/");
        if (hostname is not null) Namespaces.SetHostname(hostname);
        return plan.Execute();
    }

    private static void MountProc(string root)
    {
        string proc = RootfsPath.Resolve(root, "/proc", RootfsPath.Create.Directory)!;
        Mounts.Mount("proc", proc, "proc", NoSuidDevExec, null);
    }

    private static void MountDev(string root)
    {
        string dev = RootfsPath.Resolve(root, "/dev", RootfsPath.Create.Directory)!;
        Mounts.Mount("tmpfs", dev, "tmpfs", Mounts.MS_NOSUID, "mode=755,size=65536k");
        foreach (var (name, major, minor) in new[] { ("null", 1u, 3u), ("zero", 1u, 5u), ("full", 1u, 7u), ("random", 1u, 8u), ("urandom", 1u, 9u), ("tty", 5u, 0u) })
        {
            string node = Path.Combine(dev, name);
            Files.Mknod(node, 0x2000 /* S_IFCHR */ | 0x1b6, major, minor);
            Files.Chmod(node, 0x1b6); // 0666 whatever the umask
        }
        string pts = Path.Combine(dev, "pts");
        Directory.CreateDirectory(pts);
        Mounts.Mount("devpts", pts, "devpts", Mounts.MS_NOSUID | Mounts.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        Namespaces.Symlink("pts/ptmx", Path.Combine(dev, "ptmx"));
        string shm = Path.Combine(dev, "shm");
        Directory.CreateDirectory(shm);
        Mounts.Mount("shm", shm, "tmpfs", NoSuidDevExec, "mode=1777,size=65536k");
        Namespaces.Symlink("/proc/self/fd", Path.Combine(dev, "fd"));
        Namespaces.Symlink("/proc/self/fd/0", Path.Combine(dev, "stdin"));
        Namespaces.Symlink("/proc/self/fd/1", Path.Combine(dev, "stdout"));
        Namespaces.Symlink("/proc/self/fd/2", Path.Combine(dev, "stderr"));
    }

    private static void MountSys(string root)
    {
        string sys = RootfsPath.Resolve(root, "/sys", RootfsPath.Create.Directory)!;
        try
        {
            Mounts.Mount("sysfs", sys, "sysfs", NoSuidDevExec | Mounts.MS_RDONLY, null);
        }
        catch (UnixException)
        {
            // A fresh sysfs needs a network namespace we may mount for; the host's, read-only, otherwise.
            Mounts.Mount("/sys", sys, null, Mounts.MS_BIND | Mounts.MS_REC, null);
            Mounts.Mount(null, sys, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | Mounts.MS_RDONLY | NoSuidDevExec, null);
        }
    }

    /// <summary>
    /// /etc/hosts, /etc/hostname and /etc/resolv.conf are bind-mounted over the image's files (when it has them),
    /// as Docker does, so the container's own layer never records them. Their content is written to the new /dev
    /// tmpfs and unlinked there once bound (a bind mount keeps its source alive).
    /// </summary>
    private static void BindEtcFiles(string root, ProcessSpec spec)
    {
        string scratch = Path.Combine(root, "dev", ".images-etc");
        Directory.CreateDirectory(scratch);
        foreach (var (name, content) in EtcFiles.For(spec))
        {
            string? target = RootfsPath.Resolve(root, "/etc/" + name, RootfsPath.Create.None);
            if (target is null || !File.Exists(target)) continue;
            string source = Path.Combine(scratch, name);
            File.WriteAllText(source, content);
            Mounts.Mount(source, target, null, Mounts.MS_BIND, null);
            File.Delete(source);
        }
        Directory.Delete(scratch);
    }

    private static void BindVolume(string root, VolumeMount volume)
    {
        bool isDirectory = Directory.Exists(volume.Source);
        string target = RootfsPath.Resolve(root, volume.Destination, isDirectory ? RootfsPath.Create.Directory : RootfsPath.Create.File)!;
        Mounts.Mount(volume.Source, target, null, Mounts.MS_BIND | Mounts.MS_REC, null);
        if (volume.ReadOnly)
            Mounts.Mount(null, target, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | Mounts.MS_RDONLY, null);
    }
}
