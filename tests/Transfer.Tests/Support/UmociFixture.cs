using System.Text.Json.Nodes;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Drivers.Tests;

namespace Images.Transfer.Tests.Support;

/// <summary>
/// The image testdata/fixture/make-umoci-fixture.sh makes, built once for the tests that share it, and the root
/// filesystem <c>umoci unpack</c> makes of it: the reference every export and save is compared with.
/// </summary>
public sealed class UmociFixture : IDisposable
{
    public const string Tag = "latest";

    private readonly ScratchDirectory _directory = new("umoci-fixture-");

    public UmociFixture()
    {
        Tool.RequireRoot();
        Layout = _directory.Combine("layout");
        Tool.Run("/bin/sh", Path.Combine(RepositoryRoot(), "testdata", "fixture", "make-umoci-fixture.sh"), Layout, Tag);
        string bundle = _directory.Combine("bundle");
        Tool.Run("umoci", "unpack", "--image", $"{Layout}:{Tag}", bundle);
        Rootfs = Path.Combine(bundle, "rootfs");

        var index = JsonNode.Parse(File.ReadAllBytes(Path.Combine(Layout, "index.json")))!;
        var entry = index["manifests"]!.AsArray().Single()!;
        ManifestDigest = Digest.Parse(entry["digest"]!.GetValue<string>());
        ManifestBytes = File.ReadAllBytes(BlobPath(Layout, ManifestDigest));
        Manifest = OciJson.Parse<ImageManifest>(ManifestBytes, "fixture manifest");
        Config = OciJson.Parse<ImageConfig>(File.ReadAllBytes(BlobPath(Layout, Manifest.Config.Digest)), "fixture config");
    }

    /// <summary>The OCI layout umoci wrote: one image tagged <see cref="Tag"/> (ref.name only, no io.containerd.image.name).</summary>
    public string Layout { get; }

    /// <summary>What <c>umoci unpack</c> made of the image.</summary>
    public string Rootfs { get; }

    public Digest ManifestDigest { get; }
    public byte[] ManifestBytes { get; }
    public ImageManifest Manifest { get; }
    public ImageConfig Config { get; }
    public Digest ImageId => Manifest.Config.Digest;

    public static string BlobPath(string layout, Digest digest) => Path.Combine(layout, "blobs", digest.Algorithm, digest.Encoded);

    /// <summary>A copy of the layout to change (cp -a keeps everything as it is).</summary>
    public string CopyLayout(string destination)
    {
        Tool.Run("cp", "-a", Layout, destination);
        return destination;
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Images.sln"))) return directory.FullName;
        throw new InvalidOperationException($"no Images.sln above {AppContext.BaseDirectory}: run the tests from the repository");
    }

    public void Dispose() => _directory.Dispose();
}

[CollectionDefinition(Name)]
public sealed class UmociCollection : ICollectionFixture<UmociFixture>
{
    public const string Name = "umoci fixture";
}
