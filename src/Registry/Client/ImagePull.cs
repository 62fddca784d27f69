using System.Net;
using System.Net.Http.Headers;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;
using Images.Registry.Distribution;
using Images.Store;
using Images.Store.Content;
using Images.Store.Transfer;

namespace Images.Registry.Client;

/// <summary>
/// One pull: the manifest (an index resolved to this platform's manifest), the config, then the layers downloaded in
/// parallel into the content store (each verified against its digest and size as it streams in: the store's ingest
/// refuses anything else) and registered through the driver in parent order as they arrive: layer i is applied as
/// soon as it and layer i-1 are done. A failure releases the layers this pull registered and adds no image.
/// </summary>
internal sealed class ImagePull(LocalStore store, RegistryClientOptions options, RegistrySession session)
{
    /// <summary>Manifests and configs larger than this are refused (the size distribution and our server accept).</summary>
    private const int MaxDocumentSize = 4 << 20;
    private const int BufferSize = 1 << 20;

    private int _skipped, _fetched;
    private long _bytesFetched;

    public async Task<PullResult> RunAsync(Reference source, CancellationToken ct)
    {
        string reference = source.Digest?.ToString() ?? source.Tag!;
        var (topDigest, topType, topBytes) = await FetchManifestAsync(reference, source.Digest, ct).ConfigureAwait(false);

        var (manifestDigest, manifestType, manifestBytes) = (topDigest, topType, topBytes);
        if (MediaTypes.IsIndex(topType))
        {
            var index = OciJson.Parse<ImageIndex>(topBytes, $"index {topDigest} of {session.Where}");
            var platform = options.Platform ?? Images.Core.Oci.Platform.Current;
            var entry = PlatformSelector.Select(index.Manifests, platform)
                ?? throw new RegistryClientException(
                    $"{session.Where}:{reference} (index {topDigest}) has no image for {PlatformSelector.Describe(platform)}; it has " +
                    string.Join(", ", index.Manifests.Where(m => !PlatformSelector.IsAttestation(m)).Select(m => PlatformSelector.Describe(m.Platform))) +
                    " (choose one with --platform)");
            (manifestDigest, manifestType, manifestBytes) = await FetchManifestAsync(entry.Digest.ToString(), entry.Digest, ct).ConfigureAwait(false);
            if (MediaTypes.IsIndex(manifestType))
                throw new RegistryClientException($"{session.Where}: index {topDigest} points at another index ({manifestDigest}) for its platform; nested indexes are not images");
        }
        if (!MediaTypes.IsManifest(manifestType))
            throw new RegistryClientException($"{session.Where}:{reference} is {manifestType ?? "of unknown media type"}, not an image manifest or index");
        var manifest = OciJson.Parse<ImageManifest>(manifestBytes, $"manifest {manifestDigest} of {session.Where}");
        if (!MediaTypes.IsConfig(manifest.Config.MediaType))
            throw new RegistryClientException($"{session.Where}: manifest {manifestDigest} is not a container image (config media type {manifest.Config.MediaType}: an artifact?)");
        foreach (var layer in manifest.Layers)
            if (!MediaTypes.IsLayer(layer.MediaType))
                throw new RegistryClientException($"{session.Where}: manifest {manifestDigest} has a layer {layer.Digest} of unsupported media type {layer.MediaType}");
        if (manifest.Config.Size > MaxDocumentSize)
            throw new RegistryClientException($"{session.Where}: the config {manifest.Config.Digest} of manifest {manifestDigest} claims {manifest.Config.Size} bytes, over the {MaxDocumentSize}-byte limit");

        var configBytes = await FetchSmallBlobAsync(manifest.Config, ct).ConfigureAwait(false);
        var config = OciJson.Parse<ImageConfig>(configBytes, $"config {manifest.Config.Digest} of {session.Where}");
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
            throw new RegistryClientException(
                $"{session.Where}: manifest {manifestDigest} lists {manifest.Layers.Count} layers but its config {diffIds.Count} diff_ids; the image is malformed");

        store.Content.Write(configBytes, manifest.Config.Digest);
        Remember(manifest.Config.Digest);
        var registered = await PullLayersAsync(manifest.Layers, diffIds, ct).ConfigureAwait(false);
        try
        {
            store.Content.Write(manifestBytes, manifestDigest);
            var image = store.Images.Add(manifestDigest);
            if (source.Tag is not null) store.Images.Tag(image.Id, source.WithTag(source.Tag));
            return new PullResult(topDigest, image.Id, _skipped, _fetched, _bytesFetched);
        }
        catch
        {
            Release(registered);
            throw;
        }
    }

    private void Remember(Digest digest) => store.BlobSources.Record(digest, session.Registry, session.Repository);

    /// <summary>GET a manifest by tag or digest; verifies it against the digest asked for, else against the registry's Docker-Content-Digest.</summary>
    private async Task<(Digest Digest, string? MediaType, byte[] Bytes)> FetchManifestAsync(string reference, Digest? expected, CancellationToken ct)
    {
        using var response = await session.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, session.RepositoryUrl($"manifests/{reference}"));
            request.Headers.Accept.ParseAdd(ManifestMediaTypes.AcceptHeader);
            return request;
        }, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await session.ErrorAsync(response, $"get manifest {reference}", expected).ConfigureAwait(false);
        var bytes = await ReadBoundedAsync(response, MaxDocumentSize, $"manifest {reference}", ct).ConfigureAwait(false);

        Digest? claimed = expected;
        if (claimed is null && response.Headers.TryGetValues(RegistryHeaders.ContentDigest, out var values) && Digest.TryParse(values.FirstOrDefault(), out var header))
            claimed = header;
        var actual = Digest.Compute(bytes, claimed?.Algorithm ?? Digest.Sha256);
        if (claimed is { } c && c != actual)
            throw new RegistryClientException(
                $"registry {session.Registry}, repository {session.Repository}: manifest {reference} does not match its digest: expected {c}, got {actual}; nothing was pulled (the registry or a proxy changed it)")
            { Digest = c };
        if (actual.Algorithm != Digest.Sha256) actual = Digest.Compute(bytes);

        string? mediaType = OciJson.PeekMediaType(bytes);
        string? contentType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null && (MediaTypes.IsManifest(contentType) || MediaTypes.IsIndex(contentType))) mediaType = contentType;
        return (actual, mediaType, bytes);
    }

    private async Task<byte[]> FetchSmallBlobAsync(Descriptor blob, CancellationToken ct)
    {
        // Not reported as progress: Docker shows layers only.
        if (store.Content.Info(blob.Digest) is { } stored && stored.Size == blob.Size)
            return store.Content.ReadAllBytes(blob.Digest, MaxDocumentSize);
        using var response = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, session.RepositoryUrl($"blobs/{blob.Digest}")), ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await session.ErrorAsync(response, $"get config blob {blob.Digest}", blob.Digest).ConfigureAwait(false);
        var bytes = await ReadBoundedAsync(response, (int)blob.Size, $"config blob {blob.Digest}", ct).ConfigureAwait(false);
        var actual = Digest.Compute(bytes, blob.Digest.Algorithm);
        if (actual != blob.Digest || bytes.Length != blob.Size)
            throw new RegistryClientException(
                $"registry {session.Registry}, repository {session.Repository}: config blob {blob.Digest} does not match its digest (got {actual}, {bytes.Length} bytes); nothing was pulled")
            { Digest = blob.Digest };
        Interlocked.Add(ref _bytesFetched, bytes.Length);
        return bytes;
    }

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int limit, string what, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > limit)
            throw new RegistryClientException($"registry {session.Registry}, repository {session.Repository}: {what} has {response.Content.Headers.ContentLength} bytes, over the {limit}-byte limit");
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
                throw new RegistryClientException($"registry {session.Registry}, repository {session.Repository}: {what} is larger than the {limit}-byte limit");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Starts every missing layer's download (at most <see cref="RegistryClientOptions.MaxConcurrentTransfers"/> at once)
    /// and registers layers in order as they complete. Returns the chain ids this pull registered.
    /// </summary>
    private async Task<List<Digest>> PullLayersAsync(IReadOnlyList<Descriptor> layers, IReadOnlyList<Digest> diffIds, CancellationToken ct)
    {
        var chains = ChainId.All(diffIds);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var gate = new SemaphoreSlim(options.MaxConcurrentTransfers);
        var downloads = new Task[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (store.Layers.Get(chains[i]) is not null || store.Content.Exists(layer.Digest))
            {
                Interlocked.Increment(ref _skipped);
                options.Progress?.Start(layer.Digest, layer.Size, "Already exists");
                downloads[i] = Task.CompletedTask;
                continue;
            }
            // A layer listed twice downloads once.
            int first = Array.FindIndex(layers.ToArray(), 0, i, l => l.Digest == layer.Digest);
            downloads[i] = first >= 0 ? downloads[first] : DownloadGatedAsync(layer, gate, failed);
        }

        var registered = new List<Digest>();
        try
        {
            Digest? parent = null;
            for (int i = 0; i < layers.Count; i++)
            {
                await downloads[i].ConfigureAwait(false);
                bool known = store.Layers.Get(chains[i]) is not null;
                var layer = layers[i];
                var diffId = diffIds[i];
                var below = parent;
                try
                {
                    parent = (await Task.Run(() => store.Layers.Register(layer, below, diffId), failed.Token).ConfigureAwait(false)).ChainId;
                }
                catch (Exception e) when (e is not OperationCanceledException and not RegistryClientException)
                {
                    throw new RegistryClientException(
                        $"{session.Where}: layer {i + 1} of {layers.Count} ({layer.Digest}) cannot be registered: {e.Message}; nothing was pulled", e)
                    { Digest = layer.Digest };
                }
                if (!known) registered.Add(parent.Value);
                Remember(layer.Digest);
                options.Progress?.Finish(layer.Digest, known ? "Already exists" : "Pull complete");
            }
            return registered;
        }
        catch
        {
            failed.Cancel();
            try { await Task.WhenAll(downloads).ConfigureAwait(false); }
            catch (Exception) { } // the first failure is the one to report
            Release(registered);
            var real = downloads.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (real is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(real);
            throw;
        }
    }

    private async Task DownloadGatedAsync(Descriptor layer, SemaphoreSlim gate, CancellationTokenSource failed)
    {
        await gate.WaitAsync(failed.Token).ConfigureAwait(false);
        try
        {
            await DownloadAsync(layer, failed.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failed.Cancel(); // stop the siblings: the pull has failed
            throw;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Streams one blob into the content store; a dropped connection continues with <c>Range: bytes=N-</c> (or starts over
    /// when the registry ignores ranges). The store's ingest checks size and digest before the blob becomes visible.
    /// </summary>
    private async Task DownloadAsync(Descriptor blob, CancellationToken ct)
    {
        options.Progress?.Start(blob.Digest, blob.Size, "Downloading");
        var writer = store.Content.BeginWrite(blob.Digest, blob.Size);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        int resumes = 0;
        try
        {
            while (true)
            {
                long have = writer.BytesWritten;
                try
                {
                    using var response = await session.SendAsync(() =>
                    {
                        var request = new HttpRequestMessage(HttpMethod.Get, session.RepositoryUrl($"blobs/{blob.Digest}"));
                        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
                        return request;
                    }, ct).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode) throw await session.ErrorAsync(response, $"get blob {blob.Digest}", blob.Digest).ConfigureAwait(false);
                    if (have > 0 && response.StatusCode != HttpStatusCode.PartialContent)
                    {
                        // The registry sent the whole blob again: start the ingest over.
                        options.Progress?.Advance(blob.Digest, -have);
                        writer.Dispose();
                        writer = store.Content.BeginWrite(blob.Digest, blob.Size);
                    }
                    await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                    int read;
                    while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), ct).ConfigureAwait(false)) > 0)
                    {
                        await writer.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                        Interlocked.Add(ref _bytesFetched, read);
                        options.Progress?.Advance(blob.Digest, read);
                    }
                    break;
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is IOException or HttpRequestException { StatusCode: null } &&
                                          resumes < options.MaxResumes && writer.BytesWritten < blob.Size)
                {
                    resumes++;
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * resumes), ct).ConfigureAwait(false);
                }
            }
            try
            {
                await Task.Run(() => writer.Commit(), ct).ConfigureAwait(false);
            }
            catch (DigestMismatchException e)
            {
                throw new RegistryClientException(
                    $"registry {session.Registry}, repository {session.Repository}: blob {blob.Digest} is not what its digest says: {e.Message}", e)
                { Digest = blob.Digest };
            }
            Interlocked.Increment(ref _fetched);
            options.Progress?.Finish(blob.Digest, "Download complete");
        }
        catch (DigestMismatchException e)
        {
            // The ingest refused bytes beyond the descriptor's size.
            throw new RegistryClientException(
                $"registry {session.Registry}, repository {session.Repository}: blob {blob.Digest} is not what its descriptor says: {e.Message}", e)
            { Digest = blob.Digest };
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            writer.Dispose();
        }
    }

    /// <summary>Best effort, newest first: a layer that cannot be released now is unused and goes with the next prune.</summary>
    private void Release(List<Digest> registered)
    {
        for (int i = registered.Count - 1; i >= 0; i--)
        {
            try
            {
                if (store.Layers.Get(registered[i]) is not null) store.Layers.Release(registered[i]);
            }
            catch (Exception)
            {
                // The pull's own failure is what the user needs to see.
            }
        }
    }
}
