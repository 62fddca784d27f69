using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Images.Core.Digests;
using Images.Core.References;
using Images.Registry.Client.Auth;
using Images.Registry.Distribution;

namespace Images.Registry.Client;

/// <summary>
/// Requests to one repository of one registry, authorized as the registry asks: anonymous, basic, or a bearer token
/// fetched from the realm of its <c>WWW-Authenticate</c> challenge for the session's scopes (the repository's
/// pull or pull,push, plus pull on the repositories blobs may be mounted from). A 401 later (an expired token)
/// re-authorizes once and retries the request.
/// </summary>
internal sealed class RegistrySession
{
    private readonly HttpClient _http;
    private readonly ICredentialSource? _credentials;
    private readonly IReadOnlyList<string> _scopes;
    private readonly SemaphoreSlim _authGate = new(1, 1);
    private AuthenticationHeaderValue? _authorization;

    private RegistrySession(HttpClient http, Uri baseUri, string registry, string repository, ICredentialSource? credentials, IReadOnlyList<string> scopes)
    {
        _http = http;
        BaseUri = baseUri;
        Registry = registry;
        Repository = repository;
        _credentials = credentials;
        _scopes = scopes;
    }

    /// <summary>host[:port] as the reference names it (docker.io for Docker Hub).</summary>
    public string Registry { get; }

    /// <summary>The repository path (<c>library/busybox</c>).</summary>
    public string Repository { get; }

    public Uri BaseUri { get; }

    /// <summary>Where the session's requests go, for messages: <c>registry/repository</c>.</summary>
    public string Where => $"{Registry}/{Repository}";

    /// <summary>
    /// Picks the scheme (http for loopback and, with TLS verification off, for registries that do not speak TLS),
    /// pings <c>/v2/</c> and authorizes for <paramref name="actions"/> on the repository and pull on <paramref name="mountSources"/>.
    /// </summary>
    public static async Task<RegistrySession> OpenAsync(
        HttpClient http, RegistryClientOptions options, Reference reference, string[] actions, IEnumerable<string> mountSources, CancellationToken ct)
    {
        string host = HostOf(reference.Domain);
        var scopes = new List<string> { AccessScope.Repository(reference.Path, actions).ToString() };
        scopes.AddRange(mountSources.Where(r => r != reference.Path).Distinct().Select(r => AccessScope.Repository(r, AccessScope.Pull).ToString()));

        Uri baseUri = new($"{(IsLoopback(host) ? "http" : "https")}://{host}/");
        HttpResponseMessage ping;
        try
        {
            ping = await http.GetAsync(new Uri(baseUri, "v2/"), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException) when (!options.TlsVerify && baseUri.Scheme == "https")
        {
            baseUri = new Uri($"http://{host}/");
            ping = await Ping(http, baseUri, reference.Domain, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(reference.Domain, baseUri, e, options.TlsVerify);
        }

        var session = new RegistrySession(http, baseUri, reference.Domain, reference.Path, options.Credentials, scopes);
        using (ping)
        {
            if (ping.StatusCode == HttpStatusCode.Unauthorized)
            {
                if (!await session.AuthorizeAsync(ChallengesOf(ping), ct).ConfigureAwait(false))
                    throw new RegistryClientException(
                        $"registry {reference.Domain} asks for credentials and none are stored for it: run 'images login {reference.Domain}'",
                        HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            }
            else if (!ping.IsSuccessStatusCode)
            {
                throw await session.ErrorAsync(ping, "check the registry API (GET /v2/)").ConfigureAwait(false);
            }
        }
        return session;
    }

    /// <summary>Checks that <paramref name="registry"/> accepts the credential (what <c>images login</c> does).</summary>
    public static async Task VerifyLoginAsync(HttpClient http, RegistryClientOptions options, string registry, CancellationToken ct)
    {
        var probe = Reference.Parse($"{registry}/images-login-probe");
        var session = await OpenAsync(http, options, probe, [AccessScope.Pull], [], ct).ConfigureAwait(false);
        using var response = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, session.Url("v2/")), ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await session.ErrorAsync(response, "log in").ConfigureAwait(false);
    }

    private static async Task<HttpResponseMessage> Ping(HttpClient http, Uri baseUri, string registry, CancellationToken ct)
    {
        try
        {
            return await http.GetAsync(new Uri(baseUri, "v2/"), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(registry, baseUri, e, tlsVerify: false);
        }
    }

    private static RegistryClientException Unreachable(string registry, Uri baseUri, HttpRequestException e, bool tlsVerify) =>
        new($"cannot reach registry {registry} at {baseUri}: {e.Message}" +
            (tlsVerify && baseUri.Scheme == "https" ? " (for a registry without a trusted TLS certificate, pass --tls-verify=false)" : ""), e);

    /// <summary>Docker Hub's API lives on registry-1.docker.io.</summary>
    public static string HostOf(string domain) => domain == Reference.DefaultDomain ? "registry-1.docker.io" : domain;

    public static bool IsLoopback(string host) => RegistryAddress.IsLoopback(host);

    /// <summary>A URL under the repository: <c>/v2/&lt;name&gt;/&lt;rest&gt;</c>.</summary>
    public Uri RepositoryUrl(string rest) => new(BaseUri, $"v2/{Repository}/{rest}");

    public Uri Url(string relative) => new(BaseUri, relative);

    /// <summary>Resolves an upload <c>Location</c> (absolute or relative to the registry).</summary>
    public Uri Resolve(Uri location) => location.IsAbsoluteUri ? location : new Uri(BaseUri, location);

    /// <summary>
    /// Sends the request <paramref name="build"/> makes, with the session's authorization; on a 401 re-authorizes from
    /// the challenge and sends a fresh request once more. The caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            var request = build();
            var used = _authorization;
            if (used is not null) request.Headers.Authorization = used;
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0) return response;
            var challenges = ChallengesOf(response);
            if (!await AuthorizeAsync(challenges, ct, used).ConfigureAwait(false)) return response;
            response.Dispose();
        }
    }

    private static IReadOnlyList<Challenge> ChallengesOf(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Select(h => Challenge.Parse($"{h.Scheme} {h.Parameter}")).OfType<Challenge>().ToList();

    /// <summary>
    /// Sets the authorization for <paramref name="challenges"/>; false when there is nothing to answer them with.
    /// When another request already replaced <paramref name="stale"/>, its authorization is taken as is.
    /// </summary>
    private async Task<bool> AuthorizeAsync(IReadOnlyList<Challenge> challenges, CancellationToken ct, AuthenticationHeaderValue? stale = null)
    {
        await _authGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_authorization is not null && !ReferenceEquals(_authorization, stale)) return true;
            var credential = _credentials?.Find(Registry);
            if (challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) is { } bearer)
            {
                string token = await FetchTokenAsync(bearer, credential, ct).ConfigureAwait(false);
                _authorization = new AuthenticationHeaderValue("Bearer", token);
                return true;
            }
            if (challenges.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)) && credential is not null)
            {
                _authorization = new AuthenticationHeaderValue("Basic", BasicValue(credential));
                return !ReferenceEquals(stale, null) ? stale.Parameter != _authorization.Parameter : true;
            }
            return false;
        }
        finally
        {
            _authGate.Release();
        }
    }

    private static string BasicValue(RegistryCredential credential) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}"));

    /// <summary>The token flow: GET realm?service=…&amp;scope=… (with basic credentials when stored), answer <c>token</c> or <c>access_token</c>.</summary>
    private async Task<string> FetchTokenAsync(Challenge challenge, RegistryCredential? credential, CancellationToken ct)
    {
        string realm = challenge.Realm ?? throw new RegistryClientException(
            $"registry {Registry} asks for a bearer token but its challenge names no realm (WWW-Authenticate without realm=)");
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || (realmUri.Scheme != "https" && realmUri.Scheme != "http"))
            throw new RegistryClientException($"registry {Registry}: the token realm \"{realm}\" is not an http(s) URL");
        var query = new List<string>();
        if (challenge.Service is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        var scopes = new List<string>(_scopes);
        if (challenge.Scope is { } asked)
            scopes.AddRange(asked.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => !scopes.Contains(s)));
        query.AddRange(scopes.Select(s => "scope=" + Uri.EscapeDataString(s)));
        var builder = new UriBuilder(realmUri);
        builder.Query = string.Join('&', new[] { builder.Query.TrimStart('?') }.Where(q => q.Length > 0).Concat(query));

        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (credential is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicValue(credential));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryClientException($"registry {Registry}: cannot reach its token realm {realmUri}: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                string hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    ? credential is null ? $": run 'images login {Registry}'" : $": the stored credential of user {credential.Username} is refused (images login {Registry} again)"
                    : "";
                throw new RegistryClientException(
                    $"registry {Registry}: the token realm {realmUri.GetLeftPart(UriPartial.Path)} refused a token for {string.Join(" ", scopes)}: " +
                    $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{await ServerSays(response).ConfigureAwait(false)}{hint}",
                    response.StatusCode, null);
            }
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            try
            {
                using var json = JsonDocument.Parse(body);
                foreach (var name in new[] { "token", "access_token" })
                    if (json.RootElement.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } token) return token;
            }
            catch (JsonException) { }
            throw new RegistryClientException($"registry {Registry}: the token realm {realmUri.GetLeftPart(UriPartial.Path)} answered without a token (no \"token\" or \"access_token\" field)");
        }
    }

    /// <summary>
    /// The error for a failed response: registry, repository, what was being done (naming the digest or tag),
    /// HTTP status, and the server's error codes and messages from its JSON body.
    /// </summary>
    public async Task<RegistryClientException> ErrorAsync(HttpResponseMessage response, string what, Digest? digest = null)
    {
        string body = await ServerSays(response).ConfigureAwait(false);
        string hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => _credentials?.Find(Registry) is null
                ? $" (run 'images login {Registry}')" : $" (the stored credential is refused: 'images login {Registry}' again)",
            HttpStatusCode.Forbidden => " (the credential has no access to this repository)",
            _ => "",
        };
        return new RegistryClientException(
            $"registry {Registry}, repository {Repository}: cannot {what}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{body}{hint}",
            response.StatusCode, FirstCode(body))
        { Digest = digest };
    }

    private static string? FirstCode(string said)
    {
        int start = said.IndexOf(": ", StringComparison.Ordinal);
        if (start < 0) return null;
        var rest = said[(start + 2)..];
        int end = rest.IndexOf(' ');
        string code = end < 0 ? rest : rest[..end];
        return code.Length > 0 && code.All(c => char.IsUpper(c) || c == '_') ? code : null;
    }

    /// <summary>": CODE message; CODE2 message2" from the spec's error body, or the first line of another body, or "".</summary>
    private static async Task<string> ServerSays(HttpResponseMessage response)
    {
        byte[] bytes;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = new byte[16 << 10];
            int n = 0, read;
            while (n < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(n)).ConfigureAwait(false)) > 0) n += read;
            bytes = buffer[..n];
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return "";
        }
        if (bytes.Length == 0) return "";
        if (ErrorBody.TryParse(bytes) is { Errors.Count: > 0 } parsed)
        {
            var parts = parsed.Errors.Select(e =>
                $"{e.Code} {e.Message}{(e.Detail is JsonElement { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } d ? $" ({d.GetRawText()})" : "")}".Trim());
            return ": " + string.Join("; ", parts);
        }
        string text = Encoding.UTF8.GetString(bytes).Trim();
        int newline = text.IndexOf('\n');
        if (newline >= 0) text = text[..newline].Trim();
        return text.Length == 0 ? "" : ": " + (text.Length > 200 ? text[..200] + "…" : text);
    }
}
