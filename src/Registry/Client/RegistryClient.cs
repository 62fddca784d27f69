using System.Net;
using Images.Core.Oci;
using Images.Core.References;
using Images.Registry.Client.Auth;
using Images.Registry.Distribution;
using Images.Store;
using Images.Store.Catalog;

namespace Images.Registry.Client;

/// <summary>
/// Pushes store images to, and pulls them from, any registry speaking the OCI distribution API (plain HTTP for
/// loopback registries and, with TLS verification off, for registries without TLS; https otherwise). One instance
/// holds one connection pool: reuse it for many transfers, dispose it at the end.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly RegistryClientOptions _options;
    private readonly HttpClient _http;

    public RegistryClient(RegistryClientOptions? options = null)
    {
        _options = options ?? new RegistryClientOptions();
        _options.Validate();
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true, // blob GETs may redirect to storage; .NET drops Authorization on the way
            MaxConnectionsPerServer = Math.Max(8, _options.MaxConcurrentTransfers * 2),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            EnableMultipleHttp2Connections = true,
        };
        if (!_options.TlsVerify)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("images/1.0");
    }

    /// <summary>
    /// Pushes the store image <paramref name="localReference"/> (name, id or digest reference) to <paramref name="target"/>:
    /// only the blobs the registry lacks are sent, mounted from another repository of the same registry when the store
    /// knows one that has them; then the manifest's exact bytes are put under the target's tag (or digest).
    /// </summary>
    public async Task<PushResult> PushAsync(LocalStore store, string localReference, Reference target, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(localReference);
        ArgumentNullException.ThrowIfNull(target);
        var image = store.Images.Resolve(localReference);
        var (bytes, manifest) = store.Images.ReadManifest(image);
        if (target.Digest is { } wanted && wanted != image.ManifestDigest)
            throw new ArgumentException(
                $"cannot push {localReference} as {target}: the image's manifest is {image.ManifestDigest}, not {wanted} (push by tag instead)", nameof(target));
        var descriptor = new Descriptor { MediaType = image.ManifestMediaType, Digest = image.ManifestDigest, Size = bytes.Length };

        var blobs = new[] { manifest.Config }.Concat(manifest.Layers).Select(b => b.Digest).Distinct();
        var mountSources = blobs.SelectMany(d => store.BlobSources.Repositories(d, target.Domain)).Distinct().Take(16).ToList();
        var session = await RegistrySession.OpenAsync(_http, _options, target, [AccessScope.Pull, AccessScope.Push], mountSources, ct).ConfigureAwait(false);
        return await new ImagePush(store, _options, session).RunAsync(descriptor, bytes, manifest, target, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Pulls <paramref name="source"/> into the store: an index is resolved to the manifest of the options' platform
    /// (this machine's by default); every blob is verified against its digest; layers are registered as they arrive;
    /// the image is added and, when the reference has a tag, tagged with the full reference (<c>127.0.0.1:5000/foo:1</c>).
    /// </summary>
    public async Task<PullResult> PullAsync(LocalStore store, Reference source, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(source);
        // Blobs and layers written now are referenced by nothing until the image is added: the lease keeps GC away.
        using var lease = store.EnterWrite();
        var session = await RegistrySession.OpenAsync(_http, _options, source, [AccessScope.Pull], [], ct).ConfigureAwait(false);
        return await new ImagePull(store, _options, session).RunAsync(source, ct).ConfigureAwait(false);
    }

    /// <summary>Checks that <paramref name="registry"/> (host[:port]) accepts <paramref name="credential"/>; throws <see cref="RegistryClientException"/> when not.</summary>
    public async Task LoginAsync(string registry, RegistryCredential credential, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        ArgumentNullException.ThrowIfNull(credential);
        var options = _options with { Credentials = new SingleCredential(registry, credential) };
        await RegistrySession.VerifyLoginAsync(_http, options, registry, ct).ConfigureAwait(false);
    }

    private sealed class SingleCredential(string registry, RegistryCredential credential) : ICredentialSource
    {
        public RegistryCredential? Find(string host) => host == registry ? credential : null;
    }

    public void Dispose() => _http.Dispose();
}
