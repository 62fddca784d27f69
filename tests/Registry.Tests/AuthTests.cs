using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Images.Drivers.Tests;
using Images.Registry.Distribution;
using Images.Registry.Server;
using Images.Registry.Server.Auth;
using Images.Registry.Tests.Support;
using Images.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Tests;

/// <summary>Basic auth from htpasswd, the bearer-token flow with per-repository scopes, read-only mode and TLS.</summary>
public sealed class AuthTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("registry-auth-");

    public void Dispose() => _scratch.Dispose();

    private string Htpasswd()
    {
        string file = _scratch.Combine("htpasswd");
        File.WriteAllLines(file, [Server.Auth.Htpasswd.Line("alice", "secret"), Server.Auth.Htpasswd.Line("bob", "hunter2")]);
        return file;
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    [Fact]
    public async Task Basic_auth_from_htpasswd()
    {
        await using var host = new RegistryHost(new RegistryServerOptions { HtpasswdFile = Htpasswd() });
        using (var anonymous = await host.Client.SendAsync(HttpMethod.Get, "/v2/"))
        {
            await RegistryHttp.ExpectErrorAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            Assert.Equal("Basic", Challenge.Parse(anonymous.Headers.WwwAuthenticate.ToString())!.Scheme);
        }
        using (var wrong = await host.Client.SendAsync(HttpMethod.Get, "/v2/", edit: r => r.Headers.Authorization = Basic("alice", "nope")))
            await RegistryHttp.ExpectErrorAsync(wrong, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        using (var blob = await host.Client.SendAsync(HttpMethod.Post, "/v2/app/blobs/uploads/"))
            await RegistryHttp.ExpectErrorAsync(blob, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        host.Client.Http.DefaultRequestHeaders.Authorization = Basic("bob", "hunter2");
        using (var ok = await host.Client.SendAsync(HttpMethod.Get, "/v2/")) await RegistryHttp.ExpectAsync(ok, HttpStatusCode.OK);
        await host.Client.PushImageAsync("app", "v1", [1, 2, 3]);
    }

    [Fact]
    public void Non_bcrypt_htpasswd_entries_are_refused()
    {
        string file = _scratch.Combine("md5");
        File.WriteAllText(file, "carol:$apr1$abc$def\n");
        var error = Assert.Throws<FormatException>(() => Server.Auth.Htpasswd.Load(file));
        Assert.Contains("carol", error.Message);
        Assert.Contains("htpasswd -B", error.Message);
    }

    private async Task<string> TokenAsync(HttpClient http, Challenge challenge, AuthenticationHeaderValue? login = null)
    {
        var url = $"{challenge.Realm}?service={Uri.EscapeDataString(challenge.Service!)}&scope={Uri.EscapeDataString(challenge.Scope ?? "")}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = login;
        using var response = await http.SendAsync(request);
        await RegistryHttp.ExpectAsync(response, HttpStatusCode.OK);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(json["token"]!.GetValue<string>(), json["access_token"]!.GetValue<string>());
        Assert.True(json["expires_in"]!.GetValue<int>() > 0);
        return json["token"]!.GetValue<string>();
    }

    private static async Task<Challenge> ChallengeOf(HttpResponseMessage response)
    {
        await RegistryHttp.ExpectErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var challenge = Challenge.Parse(response.Headers.WwwAuthenticate.ToString())!;
        Assert.Equal("Bearer", challenge.Scheme);
        return challenge;
    }

    [Fact]
    public async Task Bearer_token_flow_with_per_repository_scopes()
    {
        // The realm is this very server: learn its port first, then point the realm at it.
        int port = FreePort();
        await using var host = new RegistryHost(new RegistryServerOptions
        {
            HtpasswdFile = Htpasswd(),
            TokenRealm = $"http://127.0.0.1:{port}/token",
        }, listenPort: port);
        var http = host.Client.Http;

        var challenge = await ChallengeOf(await host.Client.SendAsync(HttpMethod.Post, "/v2/app/blobs/uploads/"));
        Assert.Equal("repository:app:pull,push", challenge.Scope);
        Assert.Equal("images-registry", challenge.Service);

        // A user gets what it asks for: push to app.
        string push = await TokenAsync(http, challenge, Basic("alice", "secret"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", push);
        await host.Client.PushImageAsync("app", "v1", [1, 2, 3]);

        // That token does not reach another repository.
        var elsewhere = await ChallengeOf(await host.Client.SendAsync(HttpMethod.Get, "/v2/other/tags/list"));
        Assert.Equal("repository:other:pull", elsewhere.Scope);
        Assert.Equal("insufficient_scope", elsewhere.Parameters["error"]);

        // Anonymous gets pull only: reading works, pushing is refused.
        http.DefaultRequestHeaders.Authorization = null;
        string anonymous = await TokenAsync(http, Challenge.Bearer(challenge.Realm!, challenge.Service!, "repository:app:pull,push"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", anonymous);
        using (var read = await host.Client.SendAsync(HttpMethod.Get, "/v2/app/manifests/v1")) await RegistryHttp.ExpectAsync(read, HttpStatusCode.OK);
        var denied = await ChallengeOf(await host.Client.SendAsync(HttpMethod.Post, "/v2/app/blobs/uploads/"));
        Assert.Equal("insufficient_scope", denied.Parameters["error"]);

        // A forged or tampered token is no token.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", push[..^2] + "xx");
        await ChallengeOf(await host.Client.SendAsync(HttpMethod.Get, "/v2/app/manifests/v1"));

        // Wrong password at the realm.
        using var badLogin = new HttpRequestMessage(HttpMethod.Get, $"{challenge.Realm}?scope=repository:app:pull");
        badLogin.Headers.Authorization = Basic("alice", "wrong");
        http.DefaultRequestHeaders.Authorization = null;
        using var refused = await http.SendAsync(badLogin);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public void Tokens_expire_and_are_bound_to_the_key_and_service()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var service = new TokenService(key, "svc", TimeSpan.FromMinutes(5));
        var token = service.Issue("alice", [AccessScope.Repository("a", "pull")]);
        var valid = service.Validate(token)!.Value;
        Assert.Equal("alice", valid.Subject);
        Assert.True(valid.Access.Single().Allows("pull"));
        Assert.Null(new TokenService(RandomNumberGenerator.GetBytes(32), "svc", TimeSpan.FromMinutes(5)).Validate(token));
        Assert.Null(new TokenService(key, "other", TimeSpan.FromMinutes(5)).Validate(token));
        Assert.Null(new TokenService(key, "svc", TimeSpan.FromSeconds(-10)).Validate(new TokenService(key, "svc", TimeSpan.FromSeconds(-10)).Issue("x", [])));
    }

    [Fact]
    public async Task Read_only_refuses_writes_with_UNSUPPORTED()
    {
        string root = _scratch.Combine("ro");
        await using (var writable = new RegistryHost(root: root)) await writable.Client.PushImageAsync("app", "v1", [9]);
        await using var host = new RegistryHost(new RegistryServerOptions { ReadOnly = true }, root: root);
        using (var read = await host.Client.SendAsync(HttpMethod.Get, "/v2/app/manifests/v1")) await RegistryHttp.ExpectAsync(read, HttpStatusCode.OK);
        using (var post = await host.Client.SendAsync(HttpMethod.Post, "/v2/app/blobs/uploads/")) await RegistryHttp.ExpectErrorAsync(post, HttpStatusCode.MethodNotAllowed, "UNSUPPORTED");
        using (var del = await host.Client.SendAsync(HttpMethod.Delete, "/v2/app/manifests/v1")) await RegistryHttp.ExpectErrorAsync(del, HttpStatusCode.MethodNotAllowed, "UNSUPPORTED");
    }

    [Fact]
    public async Task Tls_with_a_pem_certificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string cert = _scratch.Combine("cert.pem"), key = _scratch.Combine("key.pem");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
        await using var host = new RegistryHost(new RegistryServerOptions { TlsCertificate = cert, TlsKey = key });
        Assert.Equal("https", host.BaseAddress.Scheme);
        using var response = await host.Client.SendAsync(HttpMethod.Get, "/v2/");
        await RegistryHttp.ExpectAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public void Open_access_is_refused_off_loopback_and_half_tls_is_refused()
    {
        using var store = LocalStore.Open(new StoreOptions { Root = _scratch.Combine("s"), Driver = "vfs" });
        var open = Assert.Throws<ArgumentException>(() => RegistryServer.Build(new RegistryServerOptions { Listen = new IPEndPoint(IPAddress.Any, 0) }, store));
        Assert.Contains("--htpasswd", open.Message);
        var tls = Assert.Throws<ArgumentException>(() => RegistryServer.Build(new RegistryServerOptions { TlsCertificate = "/x.pem" }, store));
        Assert.Contains("--tls-key", tls.Message);
    }

    [Fact]
    public async Task Extra_endpoints_sit_behind_the_same_auth()
    {
        using var store = LocalStore.Open(new StoreOptions { Root = _scratch.Combine("x"), Driver = "vfs" });
        var app = RegistryServer.Build(
            new RegistryServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), HtpasswdFile = Htpasswd() }, store,
            endpoints => endpoints.MapGet("/node/ping", () => "pong"));
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(RegistryServer.Addresses(app).Single()) };
            using (var anonymous = await http.GetAsync("/node/ping")) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            http.DefaultRequestHeaders.Authorization = Basic("alice", "secret");
            Assert.Equal("pong", await http.GetStringAsync("/node/ping"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
