using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Registry.Distribution;

namespace Images.Registry.Tests.Support;

/// <summary>Raw protocol calls for the tests (deliberately not the registry client: the tests see every status and header).</summary>
public sealed class RegistryHttp(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, Action<HttpRequestMessage>? edit = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        edit?.Invoke(request);
        return Http.SendAsync(request);
    }

    public static ByteArrayContent Bytes(byte[] data, string type = "application/octet-stream")
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    /// <summary>A monolithic upload (POST ?digest=); asserts 201 and returns the digest.</summary>
    public async Task<Digest> PushBlobAsync(string repo, byte[] data, string algorithm = Digest.Sha256)
    {
        var digest = Digest.Compute(data, algorithm);
        using var response = await SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/?digest={digest}", Bytes(data));
        await ExpectAsync(response, HttpStatusCode.Created);
        Assert.Equal(digest.ToString(), response.Headers.GetValues(RegistryHeaders.ContentDigest).Single());
        return digest;
    }

    public async Task<string> StartUploadAsync(string repo)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        await ExpectAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("0-0", response.Headers.GetValues("Range").Single());
        return response.Headers.Location!.OriginalString;
    }

    public async Task<HttpResponseMessage> PatchAsync(string location, byte[] chunk, long start)
    {
        var content = Bytes(chunk);
        content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + chunk.Length - 1}");
        return await SendAsync(HttpMethod.Patch, location, content);
    }

    public static string WithQuery(string location, string query) => location + (location.Contains('?') ? "&" : "?") + query;

    /// <summary>Pushes a manifest; asserts 201 and returns its digest.</summary>
    public async Task<Digest> PushManifestAsync(string repo, string reference, byte[] bytes, string mediaType)
    {
        using var response = await SendAsync(HttpMethod.Put, $"/v2/{repo}/manifests/{reference}", Bytes(bytes, mediaType));
        await ExpectAsync(response, HttpStatusCode.Created);
        return Digest.Parse(response.Headers.GetValues(RegistryHeaders.ContentDigest).Single());
    }

    /// <summary>Pushes a config and layers, then an OCI manifest naming them; returns the manifest's bytes and digest.</summary>
    public async Task<(byte[] Bytes, Digest Digest)> PushImageAsync(string repo, string reference, params byte[][] layers)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"n":"{{Guid.NewGuid()}}"}""");
        var configDigest = await PushBlobAsync(repo, config);
        var layerDescriptors = new List<object>();
        foreach (var layer in layers)
            layerDescriptors.Add(new { mediaType = MediaTypes.OciLayerGzip, digest = (await PushBlobAsync(repo, layer)).ToString(), size = layer.Length });
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciManifest,
            config = new { mediaType = MediaTypes.OciConfig, digest = configDigest.ToString(), size = config.Length },
            layers = layerDescriptors,
        });
        return (manifest, await PushManifestAsync(repo, reference, manifest, MediaTypes.OciManifest));
    }

    public static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode == status) return;
        string body = await response.Content.ReadAsStringAsync();
        Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
    }

    /// <summary>Asserts the status and that the body is the spec's error JSON with <paramref name="code"/>.</summary>
    public static async Task ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        if (response.RequestMessage?.Method == HttpMethod.Head) return;
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(body)!["errors"]!.AsArray();
        Assert.Contains(errors, e => e!["code"]!.GetValue<string>() == code);
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e!["message"]?.GetValue<string>())));
    }

    public void Dispose() => Http.Dispose();
}
