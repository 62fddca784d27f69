using System.Net;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;
using Images.Registry.Distribution;
using Images.Store;

namespace Images.Registry.Client;

/// <summary>
/// One push: every blob of the image (config and layers) goes up in parallel, each only when the registry lacks it
/// (HEAD first), mounted from another repository of the registry when the store's blob-source records name one,
/// otherwise uploaded (chunked, resumable); then the manifest's exact bytes are PUT by tag (or digest).
/// </summary>
internal sealed class ImagePush(LocalStore store, RegistryClientOptions options, RegistrySession session)
{
    private int _skipped, _mounted, _sent;
    private long _bytesSent;

    public async Task<PushResult> RunAsync(Descriptor manifestDescriptor, byte[] manifestBytes, ImageManifest manifest, Reference target, CancellationToken ct)
    {
        var blobs = new List<Descriptor> { manifest.Config };
        blobs.AddRange(manifest.Layers);
        blobs = blobs.DistinctBy(b => b.Digest).ToList();
        foreach (var blob in blobs)
        {
            var info = store.Content.Info(blob.Digest)
                ?? throw new RegistryClientException(
                    $"cannot push to {session.Where}: blob {blob.Digest} of the image is not in the local content store (run 'images check', or pull or load the image again)")
                { Digest = blob.Digest };
            if (info.Size != blob.Size)
                throw new RegistryClientException(
                    $"cannot push to {session.Where}: blob {blob.Digest} has {info.Size} bytes in the store but the manifest says {blob.Size} (run 'images check')")
                { Digest = blob.Digest };
        }

        using var gate = new SemaphoreSlim(options.MaxConcurrentTransfers);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = blobs.Select(async blob =>
        {
            await gate.WaitAsync(failed.Token).ConfigureAwait(false);
            try
            {
                await PushBlobAsync(blob, failed.Token).ConfigureAwait(false);
            }
            catch
            {
                failed.Cancel(); // one failure stops the others: the push has failed
                throw;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            // The first real failure, not a sibling's cancellation.
            var first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw;
        }

        var digest = await PutManifestAsync(manifestDescriptor, manifestBytes, target, ct).ConfigureAwait(false);
        return new PushResult(digest, _skipped, _mounted, _sent, _bytesSent) { ManifestSize = manifestBytes.Length };
    }

    private async Task PushBlobAsync(Descriptor blob, CancellationToken ct)
    {
        var progress = options.Progress;
        progress?.Start(blob.Digest, blob.Size, "Preparing");
        if (await ExistsAsync(blob, ct).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _skipped);
            Remember(blob.Digest);
            progress?.Finish(blob.Digest, "Layer already exists");
            return;
        }

        Uri? location = null;
        foreach (var source in store.BlobSources.Repositories(blob.Digest, session.Registry).Where(r => r != session.Repository).Take(3))
        {
            var (mounted, upload) = await TryMountAsync(blob, source, ct).ConfigureAwait(false);
            if (mounted)
            {
                Interlocked.Increment(ref _mounted);
                Remember(blob.Digest);
                progress?.Finish(blob.Digest, $"Mounted from {source}");
                return;
            }
            store.BlobSources.Forget(blob.Digest, session.Registry, source);
            location ??= upload;
        }

        for (int attempt = 0; ; attempt++)
        {
            location ??= await StartUploadAsync(blob, ct).ConfigureAwait(false);
            var uploader = new BlobUploader(session, options, () => store.Content.OpenRead(blob.Digest), blob, n => progress?.Advance(blob.Digest, n));
            try
            {
                await uploader.UploadAsync(location, ct).ConfigureAwait(false);
                Interlocked.Add(ref _bytesSent, uploader.BytesSent);
                break;
            }
            catch (RegistryClientException e) when (e.Status == HttpStatusCode.NotFound && attempt == 0)
            {
                // The registry forgot the session (expired, or dropped with the connection): start a new one once.
                Interlocked.Add(ref _bytesSent, uploader.BytesSent);
                location = null;
            }
        }
        Interlocked.Increment(ref _sent);
        Remember(blob.Digest);
        progress?.Finish(blob.Digest, "Pushed");
    }

    private void Remember(Digest digest) => store.BlobSources.Record(digest, session.Registry, session.Repository);

    private async Task<bool> ExistsAsync(Descriptor blob, CancellationToken ct)
    {
        using var response = await session.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Head, session.RepositoryUrl($"blobs/{blob.Digest}")), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (!response.IsSuccessStatusCode) throw await session.ErrorAsync(response, $"check for blob {blob.Digest}", blob.Digest).ConfigureAwait(false);
        return response.Content.Headers.ContentLength is not { } length || length == blob.Size;
    }

    /// <summary>POST <c>?mount=&amp;from=</c>: 201 mounted; 202 means not mounted, and the answer is an upload session to use.</summary>
    private async Task<(bool Mounted, Uri? Upload)> TryMountAsync(Descriptor blob, string from, CancellationToken ct)
    {
        var url = session.RepositoryUrl($"blobs/uploads/?mount={Uri.EscapeDataString(blob.Digest.ToString())}&from={Uri.EscapeDataString(from)}");
        using var response = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = Empty() }, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created) return (true, null);
        if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } location) return (false, session.Resolve(location));
        return (false, null); // refused (e.g. no pull access to the source): upload instead
    }

    private async Task<Uri> StartUploadAsync(Descriptor blob, CancellationToken ct)
    {
        using var response = await session.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, session.RepositoryUrl("blobs/uploads/")) { Content = Empty() }, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is not { } location)
            throw await session.ErrorAsync(response, $"start the upload of blob {blob.Digest}", blob.Digest).ConfigureAwait(false);
        return session.Resolve(location);
    }

    private async Task<Digest> PutManifestAsync(Descriptor manifest, byte[] bytes, Reference target, CancellationToken ct)
    {
        string reference = target.Tag ?? manifest.Digest.ToString();
        using var response = await session.SendAsync(() =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new(manifest.MediaType);
            return new HttpRequestMessage(HttpMethod.Put, session.RepositoryUrl($"manifests/{reference}")) { Content = content };
        }, ct).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted))
            throw await session.ErrorAsync(response, $"put manifest {manifest.Digest} as {reference}", manifest.Digest).ConfigureAwait(false);
        if (response.Headers.TryGetValues(RegistryHeaders.ContentDigest, out var values) && Digest.TryParse(values.FirstOrDefault(), out var stored) &&
            stored.Algorithm == manifest.Digest.Algorithm && stored != manifest.Digest)
            throw new RegistryClientException(
                $"registry {session.Registry}, repository {session.Repository}: manifest {manifest.Digest} was stored as {stored}: the registry changed its bytes")
            { Digest = manifest.Digest };
        return manifest.Digest;
    }

    private static ByteArrayContent Empty() => new([]) { Headers = { ContentLength = 0 } };
}
