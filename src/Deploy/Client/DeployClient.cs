using Images.Core.References;
using Images.Deploy.Protocol;
using Images.Registry.Client;
using Images.Store;

namespace Images.Deploy.Client;

/// <summary>What a deploy sent and what the target did with it.</summary>
public sealed record DeployOutcome(
    int BlobsOnTarget, int BlobsMissing, PushResult Push, ReleaseReport Release)
{
    /// <summary>Payload bytes sent: the blobs the target lacked (and the manifest, always sent).</summary>
    public long BytesSent => Push.BytesSent;
}

/// <summary>
/// The deploying side: asks the target which of the image's blobs it lacks (it links the ones it has into the app's
/// repository), pushes through the registry API (so only the missing blobs travel, compressed, in resumable chunks),
/// then asks the target to make and switch to the release. Running it again after an interruption sends only what
/// still is missing.
/// </summary>
public sealed class DeployClient
{
    private readonly RegistryClient _registry;
    private readonly NodeClient _node;
    private readonly string _target;

    public DeployClient(RegistryClient registry, NodeClient node, string target)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(target);
        _registry = registry;
        _node = node;
        _target = target;
    }

    public async Task<DeployOutcome> DeployAsync(
        LocalStore store, string image, string app, DeployRequest options, Action<string>? log = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(image);
        ArgumentNullException.ThrowIfNull(options);
        Store.Apps.AppNames.Validate(app);
        var local = store.Images.Resolve(image);
        var (_, manifest) = store.Images.ReadManifest(local);
        var blobs = new[] { manifest.Config }.Concat(manifest.Layers).Select(d => d.Digest.ToString()).Distinct().ToList();

        var prepared = await _node.PrepareAsync(app, new PrepareRequest(blobs), ct).ConfigureAwait(false);
        int onTarget = blobs.Count - prepared.Missing.Count;
        log?.Invoke($"{_target} has {onTarget} of the image's {blobs.Count} blobs; sending {prepared.Missing.Count}");

        var destination = Reference.Parse($"{_target}/{NodeRoutes.Repository(app)}:latest");
        var push = await _registry.PushAsync(store, image, destination, ct).ConfigureAwait(false);
        log?.Invoke($"sent {push.BlobsSent} blobs ({push.BytesSent} bytes), skipped {push.BlobsSkipped + push.BlobsMounted} already there");

        var release = await _node.DeployAsync(app, options with { Manifest = push.ManifestDigest.ToString() }, ct).ConfigureAwait(false);
        return new DeployOutcome(onTarget, prepared.Missing.Count, push, release);
    }
}
