using Images.Core.Digests;

namespace Images.Store.Apps;

/// <summary>
/// Deployed apps: each app is a numbered list of releases (an image and the container made from it), at most one of
/// them live. Deploying adds a pending release; the switch to it is one transaction, so a crash at any point
/// leaves either the old or the new release live, never none.
/// </summary>
public sealed class AppStore
{
    private readonly Metadata _metadata;

    internal AppStore(Metadata metadata) => _metadata = metadata;

    /// <summary>Adds a pending release of <paramref name="app"/> for <paramref name="imageId"/>; creates the app on its first release.</summary>
    public Release Begin(string app, Digest imageId)
    {
        AppNames.Validate(app);
        int number = _metadata.AddRelease(app, imageId, DateTimeOffset.UtcNow);
        return Get(app, number)!;
    }

    /// <summary>Records the container that runs a release.</summary>
    public void SetContainer(string app, int number, string container)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        _metadata.SetReleaseContainer(app, number, container);
    }

    /// <summary>Marks a pending release failed; false when it was no longer pending.</summary>
    public bool Fail(string app, int number, string reason) => _metadata.FailRelease(app, number, reason);

    /// <summary>Makes <paramref name="number"/> the live release; returns the one it replaced, or null.</summary>
    public Release? Switch(string app, int number)
    {
        int? previous = _metadata.SwitchRelease(app, number, DateTimeOffset.UtcNow);
        return previous is { } p ? Get(app, p) : null;
    }

    public IReadOnlyList<string> List() => _metadata.ListApps();

    /// <summary>An app's releases, newest first (empty when the app does not exist).</summary>
    public IReadOnlyList<Release> Releases(string app) => _metadata.ListReleases(app).Select(ToRelease).ToList();

    public Release? Get(string app, int number) => Releases(app).FirstOrDefault(r => r.Number == number);

    public Release? Live(string app) => Releases(app).FirstOrDefault(r => r.State == ReleaseState.Live);

    /// <summary>Releases left pending by a deploy that never finished (its process died), of every app.</summary>
    public IReadOnlyList<Release> Pending() => _metadata.ReleasesIn("pending").Select(ToRelease).ToList();

    /// <summary>Forgets a release that is not live (its container is the caller's to remove first).</summary>
    public bool Remove(string app, int number) => _metadata.DeleteRelease(app, number);

    /// <summary>The apps whose releases use an image (so removing it is refused with their names).</summary>
    public IReadOnlyList<string> UsingImage(Digest imageId) => _metadata.AppsUsingImage(imageId);

    private static Release ToRelease(ReleaseRow r) => new(
        r.App, r.Number, r.ImageId, r.Container,
        r.State switch
        {
            "pending" => ReleaseState.Pending,
            "live" => ReleaseState.Live,
            "retired" => ReleaseState.Retired,
            _ => ReleaseState.Failed,
        },
        r.Reason, r.Created, r.Switched);
}

public enum ReleaseState { Pending, Live, Retired, Failed }

/// <summary>One deploy of an app: the image, the container running it, and where it stands.</summary>
public sealed record Release(
    string App, int Number, Digest ImageId, string? Container, ReleaseState State, string? Reason,
    DateTimeOffset Created, DateTimeOffset? Switched);

/// <summary>App names: what a container name may be (Docker's <c>[a-zA-Z0-9][a-zA-Z0-9_.-]*</c>), at most 64 characters.</summary>
public static class AppNames
{
    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool ok = name.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(name[0])
                  && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        if (!ok)
            throw new ArgumentException(
                $"invalid app name '{name}': use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", nameof(name));
    }
}
