using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Images.Deploy.Protocol;
using Images.Registry.Client;
using Images.Registry.Client.Auth;

namespace Images.Deploy.Client;

/// <summary>
/// Calls a target's node API (<see cref="NodeRoutes"/>): plain HTTP for loopback targets, https otherwise, with the
/// basic credentials stored for the target by <c>images login</c>, as the registry client uses them.
/// </summary>
public sealed class NodeClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _target;

    public NodeClient(string target, ICredentialSource? credentials, bool tlsVerify = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        _target = target;
        var handler = new SocketsHttpHandler();
        if (!tlsVerify) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        // A deploy waits for the health check on the target: minutes, not the default 100 s.
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"{(RegistryAddress.IsLoopback(target) ? "http" : "https")}://{target}/"),
            Timeout = TimeSpan.FromMinutes(30),
        };
        if (credentials?.Find(target) is { } credential)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
    }

    public Task<PrepareResponse> PrepareAsync(string app, PrepareRequest request, CancellationToken ct = default) =>
        SendAsync<PrepareResponse>(HttpMethod.Post, NodeRoutes.Prepare(app), request, ct);

    public Task<ReleaseReport> DeployAsync(string app, DeployRequest request, CancellationToken ct = default) =>
        SendAsync<ReleaseReport>(HttpMethod.Post, NodeRoutes.Releases(app), request, ct);

    public Task<ReleaseReport> RollbackAsync(string app, CancellationToken ct = default) =>
        SendAsync<ReleaseReport>(HttpMethod.Post, NodeRoutes.Rollback(app), null, ct);

    public Task<IReadOnlyList<AppInfo>> AppsAsync(CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<AppInfo>>(HttpMethod.Get, NodeRoutes.Apps, null, ct);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: NodeJson.Options);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new NodeException($"cannot reach target {_target} ({_http.BaseAddress}{path.TrimStart('/')}): {e.Message}; is 'images serve' running there?", null, e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
                return await response.Content.ReadFromJsonAsync<T>(NodeJson.Options, ct).ConfigureAwait(false)
                       ?? throw new NodeException($"target {_target} answered {method} {path} with an empty body", null);
            NodeError? error = null;
            try { error = await response.Content.ReadFromJsonAsync<NodeError>(NodeJson.Options, ct).ConfigureAwait(false); }
            catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { }
            string why = error?.Message ?? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                why += $" (log in first: images login {_target})";
            else if (response.StatusCode == HttpStatusCode.NotFound && error is null)
                why += " (is the target an 'images serve' of this version? it has no node API)";
            throw new NodeException($"target {_target}: {why}", error?.Logs);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A node API call that failed, with the target's words and, for an unhealthy release, its container's last output.</summary>
public sealed class NodeException(string message, string? logs, Exception? inner = null) : Exception(message, inner)
{
    public string? Logs { get; } = logs;
}
