using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Images.Archive;
using Images.Platform;
using Images.Runtime.Helpers;
using Images.Store;

namespace Images.Runtime.Containers;

/// <summary>
/// Containers of one store: each a directory (config, state, log) plus a rw layer named by its id. Every call reads
/// the directories afresh, so any number of `images` processes (and monitors) share them; a container's process
/// runs under its own monitor (<see cref="ContainerMonitor"/>) and never depends on the caller staying alive.
/// </summary>
public sealed class ContainerManager
{
    private readonly LocalStore _store;

    public ContainerManager(LocalStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Options of create that are not about the process.</summary>
    public sealed record CreateOptions
    {
        public string? Name { get; init; }
        public string Runtime { get; init; } = ProcessRuntimes.Default;
        public bool AutoRemove { get; init; }
    }

    /// <summary>Makes a container from <paramref name="image"/>: its directory and its rw layer on the image's top layer.</summary>
    public Container Create(string image, RunOptions run, CreateOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        ArgumentNullException.ThrowIfNull(run);
        options ??= new CreateOptions();
        ProcessRuntimes.Open(options.Runtime); // an unknown runtime fails here, listing the choices
        var img = _store.Images.Resolve(image);
        var (_, config) = _store.Images.ReadConfig(img);
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        string name = options.Name ?? "c-" + id[..12];
        ValidateName(name);
        var process = ImageProcess.From(config, run with { Hostname = run.Hostname ?? id[..12] });
        foreach (var v in process.Volumes)
            if (!File.Exists(v.Source) && !Directory.Exists(v.Source))
                throw new ArgumentException($"volume source '{v.Source}' does not exist: create it first");

        Directory.CreateDirectory(_store.ContainersDirectory);
        var dir = DirectoryOf(_store.Root, id);
        var spec = new ContainerSpec
        {
            Id = id,
            Name = name,
            Image = image,
            ImageId = img.Id.ToString(),
            Process = process,
            Runtime = options.Runtime,
            Driver = _store.Driver.Name,
            AutoRemove = options.AutoRemove,
            Created = DateTimeOffset.UtcNow,
        };
        using (FileLock.Acquire(Path.Combine(_store.ContainersDirectory, ".names.lock"), exclusive: true))
        {
            if (List(all: true).Any(c => c.Name == name))
                throw new ArgumentException($"the container name '{name}' is already in use: remove that container or choose another name");
            Directory.CreateDirectory(dir.Path);
            try
            {
                _store.Layers.CreateRw(id, img.TopLayer);
                dir.WriteState(new ContainerState());
                dir.WriteSpec(spec);
            }
            catch
            {
                try { _store.Layers.RemoveRw(id); } catch (Exception e) when (e is not OutOfMemoryException) { }
                Directory.Delete(dir.Path, recursive: true);
                throw;
            }
        }
        return new Container(spec, dir.ReadState());
    }

    /// <summary>The container with this id, unique id prefix or name.</summary>
    public Container Get(string idOrName)
    {
        ArgumentException.ThrowIfNullOrEmpty(idOrName);
        var dir = Find(idOrName);
        return Read(dir) ?? throw new ContainerNotFoundException($"no such container: {idOrName}");
    }

    /// <summary>Running containers, or all with <paramref name="all"/>, newest first.</summary>
    public IReadOnlyList<Container> List(bool all = false)
    {
        if (!Directory.Exists(_store.ContainersDirectory)) return [];
        var result = new List<Container>();
        foreach (var path in Directory.EnumerateDirectories(_store.ContainersDirectory))
            if (Read(new ContainerDirectory(path)) is { } c && (all || c.IsRunning)) result.Add(c);
        return [.. result.OrderByDescending(c => c.Spec.Created)];
    }

    /// <summary>Starts the container detached under a new monitor; returns once its process runs (or failed to start).</summary>
    public Container Start(string idOrName)
    {
        var container = PrepareStart(idOrName, out var dir);
        var psi = MonitorStartInfo(dir, attached: false);
        psi.RedirectStandardInput = psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        using var monitor = Process.Start(psi) ?? throw new InvalidOperationException("the container monitor did not start");
        // The monitor puts /dev/null and the log on its fds at once; ours are not needed.
        monitor.StandardInput.Close();
        monitor.StandardOutput.Close();
        monitor.StandardError.Close();
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var state = dir.ReadState();
            if (state.Status != ContainerStatus.Created)
            {
                if (state.Error is { } error) throw new ContainerStateException($"container {container.Spec.ShortId} could not start: {error}");
                return new Container(container.Spec, state);
            }
            if (monitor.HasExited && dir.ReadState() is { Status: ContainerStatus.Created })
                throw new ContainerStateException($"the monitor of container {container.Spec.ShortId} exited with code {monitor.ExitCode} before starting it; see {dir.LogFile}");
            if (sw.Elapsed > TimeSpan.FromMinutes(2))
                throw new TimeoutException($"container {container.Spec.ShortId} did not start within 2 minutes");
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// Starts the container attached: its process gets this process's stdin, stdout and stderr, SIGINT, SIGTERM,
    /// SIGHUP and SIGQUIT sent to us are forwarded to it, and its exit code is returned.
    /// </summary>
    public int StartAttached(string idOrName)
    {
        var container = PrepareStart(idOrName, out var dir);
        using var monitor = Process.Start(MonitorStartInfo(dir, attached: true))
                            ?? throw new InvalidOperationException("the container monitor did not start");
        var registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, context =>
            {
                context.Cancel = true; // we exit with the container, not before it
                if (!monitor.HasExited) ProcessControl.Signal(monitor.Id, ProcessControl.Number(context.Signal));
            }))
            .ToList();
        try
        {
            monitor.WaitForExit();
        }
        finally
        {
            foreach (var r in registrations) r.Dispose();
        }
        _ = container;
        return monitor.ExitCode;
    }

    /// <summary>
    /// Stops a running container: SIGTERM, then SIGKILL after <paramref name="timeout"/>; waits until its end is
    /// recorded. A container that is not running is left as it is.
    /// </summary>
    public Container Stop(string idOrName, TimeSpan timeout)
    {
        var container = Get(idOrName);
        var dir = DirectoryOf(_store.Root, container.Id);
        if (!container.IsRunning) return container;
        Signal(container, ProcessControl.SIGTERM);
        if (!WaitForExit(dir, timeout))
        {
            Signal(container, ProcessControl.SIGKILL);
            if (!WaitForExit(dir, TimeSpan.FromMinutes(1)))
                throw new TimeoutException($"container {container.Spec.ShortId} did not end after SIGKILL");
        }
        return Get(container.Id);
    }

    /// <summary>Removes a container and its rw layer; a running one only with <paramref name="force"/> (it is killed).</summary>
    public void Remove(string idOrName, bool force = false)
    {
        var container = Get(idOrName);
        if (container.IsRunning)
        {
            if (!force)
                throw new ContainerStateException($"container {container.Name} is running: stop it first or remove it with -f");
            Stop(container.Id, TimeSpan.Zero);
        }
        RemoveFiles(_store, DirectoryOf(_store.Root, container.Id), container.Spec);
    }

    /// <summary>Runs a command in a running container; returns its exit code.</summary>
    public int Exec(string idOrName, ExecOptions options, ProcessIo io, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var container = Get(idOrName);
        if (!container.IsRunning)
            throw new ContainerStateException($"container {container.Name} is not running: start it first (images start {container.Name})");
        var own = container.Spec.Process;
        var spec = new ProcessSpec
        {
            Args = options.Cmd,
            Env = ProcessEnvironment.Merge(own.Env, options.Env),
            WorkingDir = options.WorkingDir is { Length: > 0 } w ? w : own.WorkingDir,
            User = options.User is { Length: > 0 } u ? u : own.User,
        };
        using var process = ContainerExec.Start(container.State.Pid, spec, io);
        return process.Wait(cancel);
    }

    /// <summary>What the container changed in its image's filesystem (Docker's A/C/D).</summary>
    public IReadOnlyList<Change> Diff(string idOrName) => _store.Layers.ChangesRw(Get(idOrName).Id);

    /// <summary>The log file of a detached container's stdout and stderr (may not exist yet).</summary>
    public string LogPath(string idOrName) => DirectoryOf(_store.Root, Get(idOrName).Id).LogFile;

    internal static ContainerDirectory DirectoryOf(string root, string id) =>
        new(Path.Combine(root, "containers", id));

    /// <summary>Deletes the rw layer, then the directory (a directory without a layer is still removable).</summary>
    internal static void RemoveFiles(LocalStore store, ContainerDirectory dir, ContainerSpec spec)
    {
        using (dir.Lock())
        {
            if (store.Layers.GetRw(spec.Id) is not null) store.Layers.RemoveRw(spec.Id);
        }
        Directory.Delete(dir.Path, recursive: true);
    }

    private Container PrepareStart(string idOrName, out ContainerDirectory dir)
    {
        var container = Get(idOrName);
        dir = DirectoryOf(_store.Root, container.Id);
        if (container.IsRunning) throw new ContainerStateException($"container {container.Name} is already running");
        using (dir.Lock()) dir.WriteState(new ContainerState());
        return container;
    }

    private ProcessStartInfo MonitorStartInfo(ContainerDirectory dir, bool attached)
    {
        // setsid: the monitor (and the container under it) leaves our session and process group, so neither a
        // terminal's Ctrl-C nor our own end reaches it; signals meant for it are forwarded explicitly.
        var args = new List<string>(HelperLauncher.Command(ContainerMonitor.Mode)) { _store.Root, dir.Id, attached ? "attached" : "detached" };
        return HelperLauncher.StartInfo("setsid", args);
    }

    private static void Signal(Container container, int signal)
    {
        if (IsAlive(container.State.Pid, container.State.PidStart)) ProcessControl.Signal(container.State.Pid, signal);
    }

    /// <summary>Waits until the state says exited (its monitor wrote it, or <see cref="Read"/> found the monitor gone).</summary>
    private bool WaitForExit(ContainerDirectory dir, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (Read(dir) is not { IsRunning: true }) return true;
            if (sw.Elapsed >= timeout) return false;
            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// Reads a container; a "running" state whose monitor and process are both gone (the monitor was killed) is
    /// settled here: recorded as exited with an unknown code, its layer unmounted.
    /// </summary>
    private Container? Read(ContainerDirectory dir)
    {
        if (!dir.Exists) return null;
        ContainerSpec spec;
        try { spec = dir.ReadSpec(); }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { return null; }
        var state = dir.ReadState();
        if (state.Status == ContainerStatus.Running
            && !IsAlive(state.MonitorPid, state.MonitorStart) && !IsAlive(state.Pid, state.PidStart))
        {
            using (dir.Lock())
            {
                state = dir.ReadState();
                if (state.Status == ContainerStatus.Running && !IsAlive(state.MonitorPid, state.MonitorStart) && !IsAlive(state.Pid, state.PidStart))
                {
                    state = state with
                    {
                        Status = ContainerStatus.Exited,
                        FinishedAt = DateTimeOffset.UtcNow,
                        ExitCode = null,
                        Error = "the container's monitor ended before recording the exit code",
                    };
                    dir.WriteState(state);
                    try { _store.Layers.UnmountRw(spec.Id); } catch (Exception e) when (e is not OutOfMemoryException) { }
                }
            }
        }
        return new Container(spec, state);
    }

    private static bool IsAlive(int pid, string? start) =>
        pid > 0 && ProcessIdentity.Of(pid) is { } now && (start is null || now.StartTime == start) && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (IOException) { return false; }
    }

    private ContainerDirectory Find(string idOrName)
    {
        if (!Directory.Exists(_store.ContainersDirectory)) throw new ContainerNotFoundException($"no such container: {idOrName}");
        var dirs = Directory.EnumerateDirectories(_store.ContainersDirectory).Select(p => new ContainerDirectory(p)).Where(d => d.Exists).ToList();
        if (dirs.FirstOrDefault(d => d.Id == idOrName) is { } exact) return exact;
        foreach (var d in dirs)
        {
            try { if (d.ReadSpec().Name == idOrName) return d; }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { }
        }
        var prefixed = dirs.Where(d => d.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
        return prefixed.Count switch
        {
            1 => prefixed[0],
            0 => throw new ContainerNotFoundException($"no such container: {idOrName}"),
            _ => throw new ContainerNotFoundException($"container id prefix '{idOrName}' is ambiguous: give more characters"),
        };
    }

    private static void ValidateName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetterOrDigit(name[0]) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')))
            throw new ArgumentException($"invalid container name '{name}': use [a-zA-Z0-9][a-zA-Z0-9_.-]*");
    }
}
