using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Images.Registry.Client.Tests.Support;

/// <summary>
/// A token realm for the bearer flow (distribution's token spec): GET /token?service=&amp;scope= with basic auth
/// answers a JWT signed (RS256) by a self-signed certificate that docker-registry trusts (its rootcertbundle),
/// granting the actions asked for to the one known user; anonymous or wrong credentials get 401.
/// </summary>
public sealed class TokenRealm : IDisposable
{
    public const string Service = "test-registry";
    public const string Issuer = "test-issuer";

    private readonly HttpListener _listener = new();
    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly string _user;
    private readonly string _password;
    private readonly Task _loop;

    public TokenRealm(string user, string password)
    {
        _user = user;
        _password = password;
        var request = new CertificateRequest("CN=test-token-issuer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePath = Path.Combine(Path.GetTempPath(), $"token-realm-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CertificatePath, _certificate.ExportCertificatePem());
        Port = FreePort.Pick();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/token";
    public string CertificatePath { get; }

    /// <summary>Every token request: the scopes asked for and whether credentials came with it.</summary>
    public ConcurrentQueue<(string[] Scopes, bool Authenticated)> Requests { get; } = new();

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            try { Answer(context); }
            catch (Exception) { context.Response.StatusCode = 500; }
            finally { context.Response.Close(); }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var query = context.Request.QueryString;
        string[] scopes = query.GetValues("scope") ?? [];
        bool authenticated = IsUser(context.Request.Headers["Authorization"]);
        Requests.Enqueue((scopes, authenticated));
        if (!authenticated || query["service"] != Service)
        {
            context.Response.StatusCode = 401;
            return;
        }
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["token"] = Token(scopes), ["expires_in"] = 300 }.ToJsonString());
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = body.Length;
        context.Response.OutputStream.Write(body);
    }

    private bool IsUser(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.Ordinal)) return false;
        string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..]));
        return decoded == $"{_user}:{_password}";
    }

    private string Token(string[] scopes)
    {
        var access = new JsonArray();
        foreach (var scope in scopes)
        {
            var parts = scope.Split(':');
            if (parts.Length != 3) continue;
            access.Add(new JsonObject
            {
                ["type"] = parts[0], ["name"] = parts[1],
                ["actions"] = new JsonArray(parts[2].Split(',').Select(a => (JsonNode)a).ToArray()),
            });
        }
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject
        {
            ["typ"] = "JWT", ["alg"] = "RS256",
            ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)),
        };
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["sub"] = _user, ["aud"] = Service,
            ["exp"] = now + 300, ["nbf"] = now - 10, ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"), ["access"] = access,
        };
        string signed = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _certificate.Dispose();
        _key.Dispose();
        File.Delete(CertificatePath);
    }
}
