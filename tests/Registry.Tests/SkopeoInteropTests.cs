using System.Net;
using Images.Core.Digests;
using Images.Drivers.Common;
using Images.Drivers.Tests;
using Images.Registry.Tests.Support;
using Images.Transfer.Tests.Support;

namespace Images.Registry.Tests;

/// <summary>A real client against our server: skopeo copies an umoci-made image in and out, lists tags, deletes, mounts across repositories.</summary>
public sealed class SkopeoInteropTests : IClassFixture<UmociFixture>, IDisposable
{
    private readonly UmociFixture _fixture;
    private readonly RegistryHost _host = new();
    private readonly ScratchDirectory _scratch = new("registry-skopeo-");

    public SkopeoInteropTests(UmociFixture fixture) => _fixture = fixture;

    public void Dispose()
    {
        _host.Dispose();
        _scratch.Dispose();
    }

    private string Docker(string repoTag) => $"docker://{_host.HostPort}/{repoTag}";

    private static string Skopeo(params string[] arguments) => Tool.Run("skopeo", arguments);

    private static (int ExitCode, string Output, string Error) SkopeoDebug(params string[] arguments) =>
        ExternalCommand.TryRun("skopeo", ["--debug", .. arguments]);

    [Fact]
    public async Task Copy_in_and_out_is_byte_identical()
    {
        Skopeo("copy", "--dest-tls-verify=false", $"oci:{_fixture.Layout}:{UmociFixture.Tag}", Docker("test/app:v1"));
        string back = _scratch.Combine("back");
        Skopeo("copy", "--src-tls-verify=false", Docker("test/app:v1"), $"oci:{back}:v1");

        // The manifest came back with the same digest, so every blob it names is the same bytes.
        Assert.True(File.Exists(UmociFixture.BlobPath(back, _fixture.ManifestDigest)), "the manifest digest changed on the round trip");
        foreach (var digest in new[] { _fixture.ManifestDigest, _fixture.Manifest.Config.Digest }.Concat(_fixture.Manifest.Layers.Select(l => l.Digest)))
            Assert.Equal(File.ReadAllBytes(UmociFixture.BlobPath(_fixture.Layout, digest)), File.ReadAllBytes(UmociFixture.BlobPath(back, digest)));

        // What skopeo pushed is in the shared content store.
        Assert.True(_host.Store.Content.Exists(_fixture.ManifestDigest));
        using var manifest = await _host.Client.SendAsync(HttpMethod.Get, $"/v2/test/app/manifests/{_fixture.ManifestDigest}");
        Assert.Equal(_fixture.ManifestBytes, await manifest.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task List_tags_delete_and_a_mount_between_repositories()
    {
        Skopeo("copy", "--dest-tls-verify=false", $"oci:{_fixture.Layout}:{UmociFixture.Tag}", Docker("src/app:v1"));
        Skopeo("copy", "--dest-tls-verify=false", $"oci:{_fixture.Layout}:{UmociFixture.Tag}", Docker("src/app:v2"));
        var tags = Skopeo("list-tags", "--tls-verify=false", Docker("src/app"));
        Assert.Contains("\"v1\"", tags);
        Assert.Contains("\"v2\"", tags);

        // Same registry, other repository: skopeo mounts the layers instead of sending them.
        var (code, output, error) = SkopeoDebug("copy", "--src-tls-verify=false", "--dest-tls-verify=false", Docker("src/app:v1"), Docker("dst/app:v1"));
        Assert.True(code == 0, $"skopeo copy failed: {error}");
        string log = output + error;
        // containers/image logs "... mount OK" for each blob our server mounted with 201.
        int mounted = log.Split('\n').Count(line => line.Contains("mount OK"));
        Assert.True(mounted == _fixture.Manifest.Layers.Count, $"expected {_fixture.Manifest.Layers.Count} mounts, saw {mounted}:\n{log}");
        foreach (var layer in _fixture.Manifest.Layers)
        {
            using var head = await _host.Client.SendAsync(HttpMethod.Head, $"/v2/dst/app/blobs/{layer.Digest}");
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }
        Assert.Empty(Directory.GetDirectories(Path.Combine(_host.Root, "registry", "uploads")));

        Skopeo("delete", "--tls-verify=false", Docker("dst/app:v1"));
        using var gone = await _host.Client.SendAsync(HttpMethod.Get, $"/v2/dst/app/manifests/{_fixture.ManifestDigest}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var kept = await _host.Client.SendAsync(HttpMethod.Get, $"/v2/src/app/manifests/v1");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }
}
