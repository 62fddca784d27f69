using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Images.Core.Digests;
using Images.Deploy.Protocol;
using Images.Store;
using Images.Store.Apps;
using Images.Store.Transfer;

namespace Images.Deploy.Node;

/// <summary>
/// The target's side of a deploy. The image's bytes arrive through the registry API into the app's repository;
/// the deployer then makes a local image of the manifest, starts a container for it beside the live one, waits
/// until it is healthy, switches the app to it (one metadata transaction) and only then stops the old container
/// (in the background: the answer does not wait for its stop timeout).
/// Whatever fails or is interrupted before the switch leaves the live release running; after a restart,
/// <see cref="Recover"/> finishes what a dead deploy left (pending containers removed, replaced ones stopped).
/// </summary>
public sealed class Deployer
{
    private static readonly TimeSpan HealthPoll = TimeSpan.FromMilliseconds(200);
    private readonly LocalStore _store;
    private readonly IAppContainers _containers;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _appLocks = new(StringComparer.Ordinal);

    public Deployer(LocalStore store, IAppContainers containers)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(containers);
        _store = store;
        _containers = containers;
    }

    /// <summary>
    /// Links every requested blob the target's store already has into the app's repository (whichever image or
    /// repository brought it), so the push that follows finds it there; returns the ones it lacks.
    /// </summary>
    public PrepareResponse Prepare(string app, PrepareRequest request)
    {
        ValidateApp(app);
        ArgumentNullException.ThrowIfNull(request);
        string repository = NodeRoutes.Repository(app);
        var missing = new List<string>();
        foreach (var text in request.Blobs.Distinct(StringComparer.Ordinal))
        {
            var digest = ParseDigest(text, "blob");
            if (!_store.Registry.LinkBlob(repository, digest)) missing.Add(digest.ToString());
        }
        return new PrepareResponse(missing);
    }

    /// <summary>Makes, starts, health-checks and switches to a new release of <paramref name="app"/>.</summary>
    public ReleaseReport Deploy(string app, DeployRequest request)
    {
        ValidateApp(app);
        ArgumentNullException.ThrowIfNull(request);
        if (request.HealthTimeoutSeconds is <= 0 or > 3600)
            throw new DeployException(HttpStatusCode.BadRequest, $"health timeout {request.HealthTimeoutSeconds}s is out of range: give 0 < seconds <= 3600");
        if (request.Keep < 0) throw new DeployException(HttpStatusCode.BadRequest, $"keep {request.Keep} is negative: give how many old releases to keep");
        var manifest = ParseDigest(request.Manifest, "manifest");
        using var _ = LockApp(app);

        string repository = NodeRoutes.Repository(app);
        if (_store.Registry.GetManifest(repository, manifest) is null)
            throw new DeployException(HttpStatusCode.NotFound,
                $"manifest {manifest} is not in repository {repository} of this target: push the image there before deploying it");
        var image = ImageImporter.AddFromContent(_store, manifest, $"app {app}");
        var release = _store.Apps.Begin(app, image.Id);

        string container;
        string health;
        try
        {
            container = _containers.Create(image, app, release.Number, request);
            _store.Apps.SetContainer(app, release.Number, container);
            _containers.Start(container);
            health = WaitHealthy(container, request.HealthCmd, TimeSpan.FromSeconds(request.HealthTimeoutSeconds));
        }
        catch (Exception e)
        {
            var fresh = _store.Apps.Get(app, release.Number);
            string? logs = fresh?.Container is { } c ? SafeLogs(c) : null;
            _store.Apps.Fail(app, release.Number, e.Message);
            if (fresh?.Container is { } failed) Discard(failed);
            var live = _store.Apps.Live(app);
            throw new DeployException(e is DeployException d ? d.Status : HttpStatusCode.UnprocessableEntity,
                $"release {release.Number} of app {app} did not go live: {e.Message}; " +
                (live is null ? "the app has no live release yet" : $"release {live.Number} stays live"), logs);
        }

        var previous = _store.Apps.Switch(app, release.Number);
        if (previous?.Container is { } old) StopInBackground(old);
        var pruned = PruneReleases(app, request.Keep);
        return new ReleaseReport(app, release.Number, image.Id.ToString(), container, previous?.Number, previous?.Container, health, pruned);
    }

    /// <summary>Switches <paramref name="app"/> back to the release that was live before the current one.</summary>
    public ReleaseReport Rollback(string app, TimeSpan settle)
    {
        ValidateApp(app);
        using var _ = LockApp(app);
        var releases = _store.Apps.Releases(app);
        if (releases.Count == 0) throw new DeployException(HttpStatusCode.NotFound, $"no app named {app} on this target ('images apps' lists them)");
        var live = releases.FirstOrDefault(r => r.State == ReleaseState.Live)
            ?? throw new DeployException(HttpStatusCode.Conflict, $"app {app} has no live release to roll back from: deploy it");
        var target = PreviousOf(releases)
            ?? throw new DeployException(HttpStatusCode.Conflict, $"app {app} has no earlier release to roll back to (only release {live.Number} is kept)");
        string container = target.Container!;
        string health;
        try
        {
            _containers.Start(container);
            health = WaitHealthy(container, null, settle);
        }
        catch (Exception e)
        {
            _containers.Stop(container);
            throw new DeployException(HttpStatusCode.UnprocessableEntity,
                $"release {target.Number} of app {app} did not start again: {e.Message}; release {live.Number} stays live", SafeLogs(container));
        }
        _store.Apps.Switch(app, target.Number);
        if (live.Container is { } current) StopInBackground(current);
        return new ReleaseReport(app, target.Number, target.ImageId.ToString(), container, live.Number, live.Container, health, []);
    }

    public IReadOnlyList<AppInfo> List() => _store.Apps.List().Select(Describe).ToList();

    /// <summary>
    /// Finishes what deploys that died left behind (run when the server starts): pending releases are failed and their
    /// containers removed; containers of replaced releases still running (stopped only after the switch) are stopped.
    /// Returns what it did, one line each.
    /// </summary>
    public IReadOnlyList<string> Recover()
    {
        var done = new List<string>();
        foreach (var pending in _store.Apps.Pending())
        {
            if (pending.Container is { } c) Discard(c);
            _store.Apps.Fail(pending.App, pending.Number, "the target stopped while this release was being deployed");
            done.Add($"app {pending.App}: release {pending.Number} was being deployed when the target stopped; removed it");
        }
        foreach (var app in _store.Apps.List())
        {
            foreach (var retired in _store.Apps.Releases(app).Where(r => r.State == ReleaseState.Retired))
            {
                if (retired.Container is { } c && _containers.IsRunning(c))
                {
                    _containers.Stop(c);
                    done.Add($"app {app}: stopped container {c} of replaced release {retired.Number}");
                }
            }
        }
        return done;
    }

    private string WaitHealthy(string container, string? healthCmd, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        int? lastCode = null;
        while (true)
        {
            if (!_containers.IsRunning(container))
                throw new DeployException(HttpStatusCode.UnprocessableEntity,
                    $"its process exited after {clock.Elapsed.TotalSeconds:0.0}s" + (lastCode is { } c ? $" (the health command last exited {c})" : ""));
            if (healthCmd is not null)
            {
                using var cancel = new CancellationTokenSource(timeout);
                lastCode = _containers.Exec(container, healthCmd, cancel.Token);
                if (lastCode == 0) return $"health command exited 0 after {clock.Elapsed.TotalSeconds:0.0}s";
            }
            if (clock.Elapsed >= timeout)
            {
                if (healthCmd is null) return $"still running after {timeout.TotalSeconds:0.#}s";
                throw new DeployException(HttpStatusCode.UnprocessableEntity,
                    $"its health command did not exit 0 within {timeout.TotalSeconds:0.#}s (last exit code {lastCode})");
            }
            Thread.Sleep(HealthPoll);
        }
    }

    /// <summary>Removes releases beyond the <paramref name="keep"/> newest replaced ones (failed ones always go).</summary>
    private IReadOnlyList<int> PruneReleases(string app, int keep)
    {
        var pruned = new List<int>();
        int kept = 0;
        foreach (var release in _store.Apps.Releases(app))
        {
            if (release.State is ReleaseState.Live or ReleaseState.Pending) continue;
            if (release.State == ReleaseState.Retired && kept++ < keep) continue;
            if (release.Container is { } c) Discard(c);
            if (_store.Apps.Remove(app, release.Number)) pruned.Add(release.Number);
        }
        return pruned;
    }

    private AppInfo Describe(string app)
    {
        var releases = _store.Apps.Releases(app);
        return new AppInfo(app,
            releases.FirstOrDefault(r => r.State == ReleaseState.Live) is { } live ? ToInfo(live) : null,
            PreviousOf(releases) is { } previous ? ToInfo(previous) : null,
            releases.Select(ToInfo).ToList());
    }

    /// <summary>The release that was live most recently before the current one.</summary>
    private static Release? PreviousOf(IReadOnlyList<Release> releases) =>
        releases.Where(r => r.State == ReleaseState.Retired && r.Container is not null)
            .OrderByDescending(r => r.Switched).ThenByDescending(r => r.Number).FirstOrDefault();

    private static ReleaseInfo ToInfo(Release r) =>
        new(r.Number, r.ImageId.ToString(), r.Container, r.State.ToString().ToLowerInvariant(), r.Reason, r.Created);

    /// <summary>
    /// Stops a replaced release's container without holding up the answer: the switch is done, and a process that
    /// ignores SIGTERM (a shell or server as pid 1) takes the whole stop timeout. If the server dies first,
    /// <see cref="Recover"/> stops it on the next start.
    /// </summary>
    private void StopInBackground(string container) =>
        _ = Task.Run(() =>
        {
            try { _containers.Stop(container); }
            catch (Exception) { } // Recover retries on the next start; the deploy itself succeeded
        });

    private void Discard(string container)
    {
        _containers.Stop(container);
        _containers.Remove(container);
    }

    private string? SafeLogs(string container)
    {
        try { return _containers.Logs(container, 4096); }
        catch (Exception) { return null; } // the failure being reported matters more than its logs
    }

    private IDisposable LockApp(string app)
    {
        var gate = _appLocks.GetOrAdd(app, _ => new SemaphoreSlim(1, 1));
        if (!gate.Wait(0))
            throw new DeployException(HttpStatusCode.Conflict, $"another deploy or rollback of app {app} is running on this target; wait for it and try again");
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private static void ValidateApp(string app)
    {
        try { AppNames.Validate(app); }
        catch (ArgumentException e) { throw new DeployException(HttpStatusCode.BadRequest, e.Message); }
    }

    private static Digest ParseDigest(string text, string what) =>
        Digest.TryParse(text, out var digest)
            ? digest
            : throw new DeployException(HttpStatusCode.BadRequest, $"\"{text}\" is not a {what} digest (algorithm:hex, e.g. sha256:...)");
}
